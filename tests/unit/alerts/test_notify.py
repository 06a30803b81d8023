"""needsUpdate-style decisions: one case per line, `now` injected."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newswatch.alerts.notify import Verdict, decide, material_changes
from newswatch.alerts.ports import Filters, Notice, Subscription, Webhook

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SUB = Subscription(
    "s", "t", "n", Filters(), Webhook("https://h.example"), "whsec_x", group_wait=30, repeat_interval=300
)
STRICT = Subscription("s", "t", "n", Filters(min_publishers=3), Webhook("https://h.example"), "whsec_x")


def facts(publishers: int = 1, killed: int = 0, types: tuple[str, ...] = ("strike",)) -> dict[str, Any]:
    return {
        "publishers": publishers,
        "casualties": {"killed": killed, "injured": 0},
        "event_types": list(types),
    }


def sent(at: datetime = T0, **kw: Any) -> Notice:
    f = facts(**kw)
    snapshot = {k: f[k] for k in ("publishers", "casualties", "event_types")}
    return Notice("s", "st", 0, at, T0, snapshot)


HELD = Notice("s", "st", -1, None, T0, held_since=T0)
S = timedelta(seconds=1)

CASES = [
    # (notice, current facts, subscription, now, verdict, changes)
    (None, facts(), SUB, T0, Verdict.HOLD, ()),  # first match waits group_wait
    (HELD, facts(), SUB, T0 + 29 * S, Verdict.HOLD, ()),  # still inside group_wait
    (HELD, facts(), SUB, T0 + 30 * S, Verdict.DETECTED, ()),  # group_wait over: detected
    (None, facts(), STRICT, T0, Verdict.NONE, ()),  # too few publishers for min_publishers=3
    (None, facts(publishers=3), STRICT, T0, Verdict.DETECTED, ()),  # enough publishers, group_wait 0
    (sent(), facts(), SUB, T0 + 400 * S, Verdict.NONE, ()),  # nothing changed
    (sent(), facts(publishers=1), SUB, T0 + 400 * S, Verdict.NONE, ()),  # same publisher count
    (sent(publishers=3), facts(publishers=4), SUB, T0 + 400 * S, Verdict.NONE, ()),  # 3->4 crosses no step
    (
        sent(publishers=4),
        facts(publishers=5),
        SUB,
        T0 + 400 * S,
        Verdict.UPDATED,
        ("publishers",),
    ),  # 5 is a step
    (sent(killed=2), facts(killed=5), SUB, T0 + 400 * S, Verdict.UPDATED, ("casualties",)),  # higher toll
    (sent(killed=5), facts(killed=2), SUB, T0 + 400 * S, Verdict.NONE, ()),  # a lower toll is not news
    (
        sent(),
        facts(types=("strike", "blackout")),
        SUB,
        T0 + 400 * S,
        Verdict.UPDATED,
        ("event_types",),
    ),  # new type
    (
        sent(),
        facts(killed=1),
        SUB,
        T0 + 10 * S,
        Verdict.HOLD,
        ("casualties",),
    ),  # change inside repeat_interval
    (sent(), facts(killed=1), SUB, T0 + 300 * S, Verdict.UPDATED, ("casualties",)),  # repeat_interval over
    (
        sent(),
        facts(publishers=2, killed=1),
        SUB,
        T0 + 300 * S,
        Verdict.UPDATED,
        ("publishers", "casualties"),
    ),  # both
]


@pytest.mark.parametrize(("notice", "now_facts", "sub", "now", "verdict", "changes"), CASES)
def test_decide(
    notice: Notice | None,
    now_facts: dict[str, Any],
    sub: Subscription,
    now: datetime,
    verdict: Verdict,
    changes: tuple,
) -> None:
    d = decide(notice, now_facts, sub, now)
    assert (d.verdict, d.changes) == (verdict, changes)


def test_material_changes_against_an_empty_snapshot() -> None:
    assert material_changes({}, facts(publishers=2, killed=1)) == ("publishers", "casualties", "event_types")


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=200),
    st.integers(min_value=0, max_value=50),
    st.sets(st.sampled_from(["strike", "blackout", "casualties"]), min_size=1),
    st.integers(min_value=0, max_value=10_000),
)
def test_deciding_again_after_sending_is_quiet(
    publishers: int, killed: int, types: set[str], later_s: int
) -> None:
    # Dedupe is idempotent: once the current facts were sent, the same facts never send again.
    now_facts = facts(publishers, killed, tuple(sorted(types)))
    first = decide(None, now_facts, replace(SUB, group_wait=0), T0)
    assert first.verdict is Verdict.DETECTED
    snapshot = {k: now_facts[k] for k in ("publishers", "casualties", "event_types")}
    notice = Notice("s", "st", 0, T0, T0, snapshot)
    assert decide(notice, now_facts, SUB, T0 + later_s * S).verdict is Verdict.NONE
