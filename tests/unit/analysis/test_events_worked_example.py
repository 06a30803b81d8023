"""The spec's worked example, paraphrased, and a long report that tells its strikes in the fourth paragraph.

Both must be analysed as news: the events are reported (not background mentions), so they alert.
Nothing here skips: every stage is in the tree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newswatch.analysis.engine import Analyzer
from newswatch.domain.model import Analysis, Article

FIXTURES = Path(__file__).parents[2] / "fixtures/analysis"
FIXTURE = json.loads((FIXTURES / "worked_example.json").read_text("utf-8"))
EXPECTED = FIXTURE["expected"]
FOURTH = json.loads((FIXTURES / "fourth_paragraph.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def analysis(analyzer: Analyzer) -> Analysis:
    return analyzer.analyze(Article.from_dict(FIXTURE["article"]))


def test_exact_event_types(analysis: Analysis) -> None:
    assert sorted({e.type.value for e in analysis.events}) == sorted(EXPECTED["event_types"])


def test_every_event_is_reported_news(analysis: Analysis) -> None:
    assert sorted({e.type.value for e in analysis.reported_events}) == sorted(EXPECTED["event_types"])
    assert not any(e.attributes.get("background") for e in analysis.events)


@pytest.mark.parametrize(("event_type", "attrs"), sorted(EXPECTED["attributes"].items()))
def test_attributes(analysis: Analysis, event_type: str, attrs: dict[str, Any]) -> None:
    events = [e for e in analysis.events if e.type.value == event_type]
    assert any(attrs.items() <= e.attributes.items() for e in events), [e.attributes for e in events]


def test_regions(analysis: Analysis) -> None:
    # an empty result is a failure, never a skip: the resolver is part of every build
    codes = analysis.region_codes
    assert codes, "no regions resolved for the worked example"
    assert codes, "no regions resolved for the worked example"
    assert set(EXPECTED["regions_include"]) <= codes
    assert not codes & set(EXPECTED["regions_exclude"])


def test_primary_topic(analysis: Analysis) -> None:
    assert analysis.topics, "no topics classified for the worked example"
    assert analysis.primary_topic is not None
    assert analysis.primary_topic.value == EXPECTED["primary_topic"]


def test_fourth_paragraph_strikes_are_news(analyzer: Analyzer) -> None:
    article = Article.from_dict(FOURTH["article"])
    body = article.body
    # The strikes and the blackout are told in the fourth paragraph, far past any lead.
    paragraphs = body.split("\n\n")
    assert "power plants" in paragraphs[3] and "power plant" not in " ".join(paragraphs[:3])
    assert body.index(paragraphs[3]) > 700
    analysis = analyzer.analyze(article)
    reported = {e.type.value for e in analysis.reported_events}
    assert set(FOURTH["expected"]["reported_event_types"]) <= reported
    assert set(FOURTH["expected"]["regions_include"]) <= analysis.region_codes
    strikes = [e for e in analysis.reported_events if e.type.value == "power_plant_strike"]
    assert all(e.location.subdivision == "UA-63" for e in strikes)
