"""No text of the shared dev set is in the project: no file shares an 8-word run with dev.jsonl.

The dev set is read from ../shared (next to the checkout) and never copied; where it is absent
(a checkout outside this workplace) there is nothing to compare against and the test skips.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.corpus.check_dev_overlap import DEFAULT_DEV, N, _strings, grams

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".json", ".jsonl", ".txt", ".toml", ".html"}
FOLDERS = ("services", "tests", "docs", "schemas", "bench", "scripts", "deploy")
# Addresses are provenance, not prose: feed and article URLs and archive paths are dropped on both
# sides, so a feed both sets were read from is not taken for copied text.
ADDRESS = re.compile(r"[^\s\"']*(?:https?:|www\.|\.com|\.xml|\.rss|/)[^\s\"']*")


def _prose(text: str) -> set[str]:
    return grams(ADDRESS.sub(" ", text))


def _project_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "AGENTS.md", ROOT / "CHANGELOG.md"]
    for folder in FOLDERS:
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return [p for p in files if p.exists() and "__pycache__" not in p.parts]


@pytest.mark.skipif(not DEFAULT_DEV.exists(), reason=f"no dev set at {DEFAULT_DEV}")
def test_no_project_file_shares_an_8_word_run_with_dev() -> None:
    dev: set[str] = set()
    for line in DEFAULT_DEV.read_text(encoding="utf-8").splitlines():
        if line.strip():
            for s in _strings(json.loads(line)):
                dev |= _prose(s)
    assert len(dev) > 10_000  # the dev set was really read
    shared = {}
    for path in _project_files():
        hits = _prose(path.read_text(encoding="utf-8", errors="replace")) & dev
        if hits:
            shared[str(path.relative_to(ROOT))] = len(hits)  # counts only: no dev text in the report
    assert not shared, f"files sharing {N}-word runs with dev: {shared}"
