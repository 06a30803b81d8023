"""The spec's worked example, paraphrased: exactly the spec's events, regions and topic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newswatch.analysis.engine import Analyzer
from newswatch.domain.model import Analysis, Article

FIXTURE = json.loads((Path(__file__).parents[2] / "fixtures/analysis/worked_example.json").read_text("utf-8"))
EXPECTED = FIXTURE["expected"]


@pytest.fixture(scope="module")
def analysis(analyzer: Analyzer) -> Analysis:
    return analyzer.analyze(Article.from_dict(FIXTURE["article"]))


def test_exact_event_types(analysis: Analysis) -> None:
    assert sorted({e.type.value for e in analysis.events}) == sorted(EXPECTED["event_types"])


@pytest.mark.parametrize(("event_type", "attrs"), sorted(EXPECTED["attributes"].items()))
def test_attributes(analysis: Analysis, event_type: str, attrs: dict[str, Any]) -> None:
    events = [e for e in analysis.events if e.type.value == event_type]
    assert any(attrs.items() <= e.attributes.items() for e in events), [e.attributes for e in events]


def test_regions(analysis: Analysis) -> None:
    # an empty result is a failure, never a skip: the resolver is part of every build
    codes = analysis.region_codes
    assert codes, "no regions resolved for the worked example"
    assert set(EXPECTED["regions_include"]) <= codes
    assert not codes & set(EXPECTED["regions_exclude"])


def test_primary_topic(analysis: Analysis) -> None:
    assert analysis.topics, "no topics classified for the worked example"
    assert analysis.primary_topic is not None
    assert analysis.primary_topic.value == EXPECTED["primary_topic"]
