"""Count corpus records that share an 8-word run with the dev set (no dev text is printed).

Usage: python tests/corpus/check_dev_overlap.py [path/to/dev.jsonl]
Words are lower-cased runs of letters and digits; every string field of a dev record (and of its
nested objects) is read. Exit status 1 when any record of a news_*.jsonl file overlaps.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# The shared data sits next to the main checkout (../shared); a worktree is one level deeper.
DEFAULT_DEV = next(
    (
        p / "shared" / "data" / "dev" / "dev.jsonl"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared" / "data" / "dev" / "dev.jsonl").exists()
    ),
    ROOT.parent / "shared" / "data" / "dev" / "dev.jsonl",
)
N = 8


def grams(text: str, n: int = N) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def main(argv: list[str]) -> int:
    dev_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DEV
    dev: set[str] = set()
    for line in dev_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            for s in _strings(json.loads(line)):
                dev |= grams(s)
    bad = 0
    for path in sorted(HERE.glob("news_*.jsonl")):
        hits = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                if (grams(rec["title"]) | grams(rec["text"])) & dev:
                    hits.append(rec["id"])
        bad += len(hits)
        print(f"{path.name}: {len(hits)} records share an {N}-word run with dev {hits[:20]}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
