"""Which stories the stories API lists: its filters (pure; paging is in the store contract)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from newswatch.alerts.ports import Member, Story
from newswatch.alerts.story_listing import StoryQuery, matches, story_regions

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def story(
    sid: str,
    *,
    regions: tuple[str, ...] = (),
    events: tuple[dict[str, Any], ...] = (),
    topics: dict[str, float] | None = None,
    last: datetime = T0,
) -> Story:
    m = Member("a", "s", "s", events=events, topics=topics or {}, regions=regions)
    return Story(sid, last, last, (), (m,))


def located(kind: str, country: str | None, subdivision: str | None = None) -> dict[str, Any]:
    return {"type": kind, "location": {"country": country, "subdivision": subdivision}}


@pytest.mark.parametrize(
    ("s", "query", "expected"),
    [
        (story("x", regions=("UA-63",)), StoryQuery(region="UA"), True),
        (story("x", regions=("UA-63",)), StoryQuery(region="UA-63"), True),
        (
            story("x", regions=("UA",)),
            StoryQuery(region="UA-63"),
            False,
        ),  # a country is not each of its parts
        (story("x", events=(located("strike", "UA", "UA-30"),)), StoryQuery(region="UA"), True),
        (story("x", events=(located("strike", None),)), StoryQuery(region="UA"), False),
        (story("x", regions=("PL",)), StoryQuery(region="UA"), False),
        (story("x", events=(located("strike", "UA"),)), StoryQuery(event_type="strike"), True),
        (story("x", events=(located("strike", "UA"),)), StoryQuery(event_type="protest"), False),
        (story("x", topics={"sport": 0.4}), StoryQuery(topic="sport"), True),
        (story("x", topics={"sport": 0.4}), StoryQuery(topic="politics"), False),
        (
            story("x", regions=("UA",), topics={"sport": 0.4}),
            StoryQuery(region="UA", topic="politics"),
            False,
        ),
        (story("x"), StoryQuery(), True),
    ],
)
def test_matches_ands_the_given_filters_and_regions_are_hierarchical(
    s: Story, query: StoryQuery, expected: bool
) -> None:
    assert matches(s, query) is expected


def test_story_regions_add_the_country_of_each_subdivision() -> None:
    s = story("x", regions=("PL-14",), events=(located("strike", "UA", "UA-63"),))
    assert story_regions(s) == {"PL", "PL-14", "UA", "UA-63"}
