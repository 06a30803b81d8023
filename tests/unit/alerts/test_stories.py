"""Story grouping decisions: blocking keys, choosing a story, absorbing an article (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newswatch.alerts.facts import decision_facts, facts
from newswatch.alerts.ports import Candidate, Story
from newswatch.alerts.similarity import signature
from newswatch.alerts.stories import (
    MAX_FULL_MEMBERS,
    MAX_MEMBERS,
    absorb,
    candidates_from,
    choose,
    member_of,
    source_of,
    story_keys,
)
from newswatch.domain.model import Analysis, Article, RegionMention
from tests.unit.alerts.factory import WIRE, analysis, article, event, own_report

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

KEY_CASES = [
    # (analysis, expected keys)
    (analysis(events=(event(subdivision="UA-63"),)), ("power_plant_strike@UA-63",)),  # event's own place
    (analysis(events=(event(subdivision=None),)), ("power_plant_strike@UA-63",)),  # article's subdivision
    (
        analysis(events=(event(subdivision=None),), regions=("UA",)),
        ("power_plant_strike@UA",),
    ),  # country only
    (analysis(events=(event(subdivision=None, country=None),), regions=()), ()),  # nowhere: LSH only
    (
        analysis(events=(event(), event("casualties"))),
        ("casualties@UA-63", "power_plant_strike@UA-63"),
    ),  # both
    (
        Analysis(
            "a",
            (),
            (RegionMention("UA-65", "x", 0.4), RegionMention("UA-63", "y", 0.9)),
            (event(subdivision=None),),
        ),
        ("power_plant_strike@UA-63",),
    ),  # the best-scored subdivision
]


@pytest.mark.parametrize(("a", "expected"), KEY_CASES)
def test_story_keys(a: Analysis, expected: tuple[str, ...]) -> None:
    assert story_keys(a) == expected


SOURCE_CASES = [
    (Article("1", "b", source=" Wire-One "), "wire-one"),  # normalised source name
    (Article("1", "b", url="https://www.example.org/x"), "example.org"),  # URL host without www
    (Article("1", "b"), "unknown"),  # neither source nor URL: the one unknown publisher
    (Article("2", "b", source="  "), "unknown"),  # a blank source is no source
]


@pytest.mark.parametrize(("a", "expected"), SOURCE_CASES)
def test_source_of(a: Article, expected: str) -> None:
    assert source_of(a) == expected


def _story(art_id: str, text: str, keys: tuple[str, ...], at: datetime = T0) -> Story:
    sig = signature(text)
    return absorb(None, member_of(article(art_id, text), analysis(art_id, (event(),)), sig, at), keys, at)


def test_choose_prefers_a_near_duplicate_over_shared_keys() -> None:
    by_key = _story("k", own_report(0), ("power_plant_strike@UA-63",), T0 + timedelta(minutes=5))
    by_text = _story("t", WIRE, ("strike@UA-14",))
    found_by_text = frozenset({by_text.id})
    assert choose([by_key, by_text], ("power_plant_strike@UA-63",), signature(WIRE), found_by_text) is by_text
    assert choose([by_key, by_text], ("power_plant_strike@UA-63",), signature(WIRE)) is by_key  # no LSH hit
    assert choose([by_key], ("protest@UA-63",), signature(own_report(1))) is None  # nothing in common


UA63, UA14 = "power_plant_strike@UA-63", "strike@UA-14"


def test_candidates_from_folds_hits_per_story() -> None:
    hits = [("k:a", "s2", 7), ("b:0:x", "s1", 3), ("k:a", "s1", 9), ("k:b", "s1", 9), ("b:1:y", "s3", 4)]
    assert candidates_from(hits) == [
        Candidate("s1", 2, 9, True),
        Candidate("s2", 1, 7, False),
        Candidate("s3", 0, 4, True),
    ]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=6))
def test_absorbing_the_same_articles_again_changes_nothing(ids: list[str]) -> None:
    story = None
    for i in ids:
        story = absorb(
            story,
            member_of(
                article(i, own_report(ord(i))), analysis(i, (event(),)), signature(own_report(ord(i))), T0
            ),
            ("k",),
            T0,
        )
    assert story is not None
    again = story
    for i in ids:
        again = absorb(
            again,
            member_of(
                article(i, own_report(ord(i))), analysis(i, (event(),)), signature(own_report(ord(i))), T0
            ),
            ("k",),
            T0,
        )
    assert again == story and sorted(m.article_id for m in story.members) == sorted(set(ids))
    assert facts(again) == facts(story)


def test_a_full_story_only_stays_open() -> None:
    story = _story("a0", own_report(0), ("k",))
    for n in range(1, MAX_MEMBERS + 5):
        sig = signature(own_report(n))
        story = absorb(
            story,
            member_of(article(f"a{n}", own_report(n)), analysis(f"a{n}", (event(),)), sig, T0),
            ("k",),
            T0 + timedelta(minutes=n),
        )
    assert len(story.members) == MAX_MEMBERS and story.last_seen == T0 + timedelta(minutes=MAX_MEMBERS + 4)
    light = story.members[MAX_FULL_MEMBERS:]
    assert all(m.signature == () and m.topics == {} for m in light) and story.members[0].events
    assert all(m.events for m in light)  # kept: a story's facts cover every member it holds


def test_a_light_members_events_still_count_in_the_facts() -> None:
    story = _story("a0", own_report(0), ("k",))
    for n in range(1, MAX_FULL_MEMBERS + 1):
        evs = (event("casualties", 0.8, killed=7),) if n == MAX_FULL_MEMBERS else (event(),)
        art = article(f"a{n}", own_report(n))
        story = absorb(story, member_of(art, analysis(art.id, evs), signature(art.text), T0), ("k",), T0)
    assert story.members[-1].signature == ()  # the 51st member is light
    assert facts(story)["casualties"]["killed"] == 7 and "casualties" in facts(story)["event_types"]


def test_decision_facts_agree_with_the_full_facts() -> None:
    toll = (event(), event("casualties", 0.8, killed=3))
    s = _story("a", own_report(0), (UA63,))
    s = absorb(
        s, member_of(article("b", WIRE, "outlet-2"), analysis("b", toll), signature(WIRE), T0), (UA14,), T0
    )
    full, known = facts(s), decision_facts(s)
    assert known["publishers"] == full["publishers"] == 2 and known["casualties"] == full["casualties"]
    assert sorted(full["event_types"]) == known["event_types"] and len(known["event_types"]) == 2
