"""Independent publisher counting: wire copies count once, order never matters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newswatch.alerts.ports import Member
from newswatch.alerts.publishers import independent_publishers, link
from newswatch.alerts.similarity import signature, similarity
from tests.unit.alerts.factory import WIRE, own_report

NOW = datetime(2026, 11, 25, tzinfo=UTC)
EDITED_WIRE = WIRE.replace("before dawn", "early on Tuesday") + " More follows."


def m(article_id: str, source: str, text: str) -> Member:
    return Member(article_id, source, article_id, signature=signature(text), seen_at=NOW)


def linked(members: list[Member]) -> tuple[Member, ...]:
    """Members as a story accumulates them, one `link` at a time."""
    story: tuple[Member, ...] = ()
    for member in members:
        story = link(story, member)
    return story


CASES = [
    # (members as (source, text), expected count)
    ([], 0),  # no members
    ([("a", WIRE)], 1),  # one article
    ([("a", WIRE), ("b", WIRE), ("c", WIRE), ("d", WIRE), ("e", WIRE)], 1),  # five outlets run one wire story
    ([("a", WIRE), ("b", EDITED_WIRE)], 1),  # a lightly edited wire copy is still a copy
    ([("a", own_report(0)), ("b", own_report(1))], 2),  # two outlets, own reports
    ([("a", own_report(0)), ("a", own_report(1)), ("a", own_report(2))], 1),  # one outlet, three reports
    ([("b", WIRE), ("b", own_report(1)), ("a", WIRE)], 2),  # b copied a's wire but also reported itself
    ([("a", WIRE), ("b", WIRE), ("c", own_report(2))], 2),  # wire plus one independent report
]


@pytest.mark.parametrize(("items", "expected"), CASES)
def test_independent_publishers(items: list[tuple[str, str]], expected: int) -> None:
    members = [m(f"x{i}", src, text) for i, (src, text) in enumerate(items)]
    assert independent_publishers(linked(members)) == expected


def test_similarity_separates_copies_from_own_reports() -> None:
    assert similarity(signature(WIRE), signature(EDITED_WIRE)) >= 0.6
    assert similarity(signature(own_report(0)), signature(own_report(1))) < 0.3


POOL = [
    ("a", WIRE),
    ("b", WIRE),
    ("c", EDITED_WIRE),
    ("a", own_report(0)),
    ("d", own_report(3)),
    ("d", own_report(4)),
]


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(range(len(POOL)))), st.integers(min_value=1, max_value=len(POOL)))
def test_clusters_and_count_ignore_arrival_order(order: list[int], n: int) -> None:
    in_order = linked([m(f"x{i}", *POOL[i]) for i in sorted(order[:n])])
    shuffled = linked([m(f"x{i}", *POOL[i]) for i in order[:n]])
    assert {x.article_id: x.origin for x in shuffled} == {x.article_id: x.origin for x in in_order}
    assert independent_publishers(shuffled) == independent_publishers(in_order)
