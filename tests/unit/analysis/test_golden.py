"""The analyses of our own texts equal the committed golden snapshot (tests/golden/snapshot.py)."""

from __future__ import annotations

from typing import Any

from tests.golden.snapshot import REGENERATE, analyse, differences, load, same

from newswatch.analysis.engine import Analyzer


def test_analyses_equal_the_golden_snapshot(analyzer: Analyzer) -> None:
    diff = differences(load(), analyse(analyzer))
    assert not diff, f"analyses differ from tests/golden/analyses.json:\n{diff}\n\nIf intended: {REGENERATE}"


def test_the_comparison_sees_a_changed_field_and_a_missing_article() -> None:
    golden: dict[str, dict[str, Any]] = {
        "a": {"events": [{"type": "strike", "confidence": 0.9}]},
        "b": {"events": []},
    }
    assert differences(golden, golden) == ""
    assert same({"score": 0.1234}, {"score": 0.1236})  # a last rounded digit apart
    changed: dict[str, dict[str, Any]] = {"a": {"events": [{"type": "clash", "confidence": 0.9}]}}
    diff = differences(golden, changed)
    assert '-   "type": "strike"' in diff and '+   "type": "clash"' in diff
    assert "golden b" in diff  # the article that is gone
