"""Which stories the stories API lists: filters and paging (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newswatch.alerts.ports import AlertKind, AlertRecord, Member, Story, micros
from newswatch.alerts.story_listing import StoryQuery, alerted_story_ids, matches, page, story_regions

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


def test_page_is_newest_first_with_ties_by_id_and_resumes_after_the_cursor() -> None:
    stories = [story(i, last=T0 + timedelta(minutes=m)) for i, m in (("a", 1), ("b", 2), ("c", 2), ("d", 0))]
    first, more = page(stories, StoryQuery(), None, 2)
    assert [s.id for s in first] == ["c", "b"] and more
    rest, more = page(stories, StoryQuery(), (micros(first[-1].last_seen), first[-1].id), 2)
    assert [s.id for s in rest] == ["a", "d"] and not more


def test_alerted_story_ids_skip_subscription_tests_and_repeat_stories_once() -> None:
    def rec(aid: str, story_id: str, kind: str = "story.detected") -> AlertRecord:
        return AlertRecord(aid, "sub", "t", AlertKind(kind), story_id, 0, {})

    alerts = [
        rec("1", "s1"),
        rec("2", "s2"),
        rec("3", "s1", "story.updated"),
        rec("4", "x", "subscription.test"),
    ]
    assert alerted_story_ids(alerts) == ["s1", "s2"]
