"""Why an alert matched: per filter kind, the value and the event or article it matched on."""

from __future__ import annotations

from typing import Any

import pytest

from newswatch.alerts.explain import matched
from newswatch.alerts.ports import Filters, TopicFilter
from newswatch.alerts.view import view_of
from tests.unit.alerts.factory import analysis, article, event


def ev(
    kind: str, conf: float, art: str, country: str | None = "UA", sub: str | None = "UA-63"
) -> dict[str, Any]:
    return {
        "type": kind,
        "confidence": conf,
        "evidence": {"sentence": "s", "article_id": art},
        "location": {"country": country, "subdivision": sub, "place": None},
    }


FACTS = {
    "events": [ev("power_plant_strike", 0.9, "a1"), ev("casualties", 0.6, "a2", "UA", "UA-65")],
    "regions": ["PL", "UA", "UA-63", "UA-65"],
    "topics": [{"id": "conflict", "score": 0.9}, {"id": "energy", "score": 0.4}],
}
VIEW = view_of(article("a3", "Blackout hits the city after a strike"), analysis("a3", (event(),)))

CASES = [
    # No filter at all: nothing to explain.
    (Filters(), {}),
    # An event type on the story's most confident event of that type.
    (
        Filters(event_types=("casualties", "protest")),
        {"event_types": [{"value": "casualties", "event_type": "casualties", "article_id": "a2"}]},
    ),
    # min_confidence counts: the casualties event (0.6) does not match at 0.7.
    (Filters(event_types=("casualties",), min_confidence=0.7), {"event_types": []}),
    # A country matches on an event located in one of its subdivisions.
    (
        Filters(regions=("UA",)),
        {"regions": [{"value": "UA", "event_type": "power_plant_strike", "article_id": "a1"}]},
    ),
    # A region only the articles name (no event there): matched on the story, no event or article.
    (Filters(regions=("PL",)), {"regions": [{"value": "PL", "event_type": None, "article_id": None}]}),
    # A topic with the story's score, when at or above the filter's minimum.
    (
        Filters(topics=(TopicFilter("energy", 0.3), TopicFilter("conflict", 0.95))),
        {"topics": [{"value": "energy", "score": 0.4}]},
    ),
    # A keyword found in the article that triggered the alert.
    (
        Filters(keywords=("blackout", "curfew")),
        {"keywords": [{"value": "blackout", "article_id": "a3"}]},
    ),
]


@pytest.mark.parametrize(("filters", "expected"), CASES)
def test_matched(filters: Filters, expected: dict[str, Any]) -> None:
    assert matched(filters, FACTS, VIEW, "a3") == expected


def test_keywords_are_not_explained_without_a_triggering_article() -> None:
    assert matched(Filters(keywords=("blackout",)), FACTS, None, None) == {}
