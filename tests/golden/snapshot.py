"""The golden snapshot: the full analysis (topics, regions, events with their attributes and evidence,
language, coverage) of texts we wrote, kept in `analyses.json` beside this file.

`tests/unit/analysis/test_golden.py` fails with a per-article diff when the analysis of any of them
changes. A change meant to alter analyses regenerates the file in the same commit (`make golden`, or
`PYTHONPATH=services python -m tests.golden`) so the diff of `analyses.json` shows its effect.

The texts: the fixtures in `tests/fixtures/analysis/` (the worked example, the fourth-paragraph
report, every sentence of `event_cases.yaml`) and the short articles of `texts.yaml`.
"""

from __future__ import annotations

import difflib
import json
import math
from pathlib import Path
from typing import Any

import yaml

from newswatch.analysis.engine import Analyzer
from newswatch.domain.model import Article

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "analyses.json"
FIXTURES = HERE.parent / "fixtures" / "analysis"
REGENERATE = "make golden  (or: PYTHONPATH=services python -m tests.golden)"
# Scores are rounded to 4 places in analysis.v1; the compiled build and the pure sources may round a
# last digit apart, which is not a change of the analysis.
FLOAT_TOLERANCE = 5e-4


def articles() -> list[Article]:
    """Every golden text, in a fixed order, with unique ids."""
    fixtures = ("worked_example.json", "fourth_paragraph.json")
    found = [Article.from_dict(json.loads((FIXTURES / f).read_text("utf-8"))["article"]) for f in fixtures]
    cases = yaml.safe_load((FIXTURES / "event_cases.yaml").read_text("utf-8"))
    for group, items in cases.items():
        found += [Article(id=f"case:{group}:{c['name']}", body=c["text"]) for c in items]
    found += [Article.from_dict(d) for d in yaml.safe_load((HERE / "texts.yaml").read_text("utf-8"))]
    ids = [a.id for a in found]
    assert len(ids) == len(set(ids)), "golden texts need unique ids"
    return found


def analyse(analyzer: Analyzer) -> dict[str, dict[str, Any]]:
    return {a.id: analyzer.analyze(a).to_dict() for a in articles()}


def render(analyses: dict[str, dict[str, Any]]) -> str:
    """One indented JSON document: one line per field, so a diff of the file reads per field."""
    return json.dumps(analyses, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def load() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(GOLDEN.read_text("utf-8"))
    return data


def same(a: object, b: object) -> bool:
    """Equal, except that floats may differ by FLOAT_TOLERANCE."""
    if isinstance(a, float) or isinstance(b, float):
        both_numbers = isinstance(a, int | float) and isinstance(b, int | float)
        return both_numbers and math.isclose(float(a), float(b), abs_tol=FLOAT_TOLERANCE)  # type: ignore[arg-type]
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def differences(golden: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]) -> str:
    """A unified diff per article whose analysis changed, appeared or disappeared ("" when none)."""
    out: list[str] = []
    for art_id in sorted(golden.keys() | now.keys()):
        old, new = golden.get(art_id), now.get(art_id)
        if old is not None and new is not None and same(old, new):
            continue
        before = [] if old is None else render(old).splitlines()
        after = [] if new is None else render(new).splitlines()
        out += difflib.unified_diff(before, after, f"golden {art_id}", f"now {art_id}", n=4, lineterm="")
    return "\n".join(out)


def main() -> int:
    analyses = analyse(Analyzer.load())
    old = load() if GOLDEN.exists() else {}
    GOLDEN.write_text(render(analyses), encoding="utf-8")
    changed = sum(1 for k in analyses.keys() | old.keys() if not same(old.get(k), analyses.get(k)))
    print(f"wrote {GOLDEN}: {len(analyses)} analyses, {changed} of them changed")
    return 0
