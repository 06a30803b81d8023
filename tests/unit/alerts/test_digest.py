"""Digest delivery, pure (alerts/digest.py): intervals, period boundaries, what is due, the body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newswatch.alerts import digest
from newswatch.alerts.digest import BadInterval, Period, due, format_interval, parse_interval, period_of
from newswatch.alerts.ports import (
    AlertKind,
    AlertRecord,
    Delivery,
    DeliveryMode,
    Filters,
    Pending,
    Subscription,
    Webhook,
)
from newswatch.contracts.schemas import schema_errors

H = 3600
FILTERS = Filters(regions=("UA-63",))
T = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # on the hour (and on every 5-minute boundary)

INTERVALS = [
    # (text, seconds) - what a subscriber may write
    ("5m", 300),  # the shortest
    ("30m", 1800),
    ("90m", 5400),  # minutes past an hour
    ("1h", 3600),
    ("24h", 86400),  # the longest
    ("1d", 86400),  # ... said in days
    ("PT30M", 1800),  # ISO 8601
    ("PT1H30M", 5400),
    ("P1D", 86400),
    ("PT2H", 7200),
]


@pytest.mark.parametrize(("text", "seconds"), INTERVALS)
def test_intervals_are_read(text: str, seconds: int) -> None:
    assert parse_interval(text) == seconds


BAD = [
    # (text, words of the message) - what is refused, and why
    ("4m", "outside"),  # below 5 minutes
    ("25h", "outside"),  # above a day
    ("P2D", "outside"),
    ("PT0M", "outside"),
    ("1w", "not an interval"),  # no weeks
    ("3600", "not an interval"),  # a unit is needed
    ("1.5h", "not an interval"),  # whole numbers only
    ("PT30S", "not an interval"),  # seconds are not a unit here
    ("P", "not an interval"),
    ("PT", "not an interval"),
    ("P1DT", "not an interval"),
    ("0h", "not an interval"),
    ("1H", "not an interval"),  # units in lower case, as the schema's pattern has them
    (" 1h", "not an interval"),  # no spaces
    ("pt2h", "not an interval"),  # ISO 8601 in upper case
    ("", "not an interval"),
]


@pytest.mark.parametrize(("text", "why"), BAD)
def test_bad_intervals_are_refused_with_a_hint(text: str, why: str) -> None:
    with pytest.raises(BadInterval) as err:
        parse_interval(text)
    assert why in str(err.value) and err.value.hint


@pytest.mark.parametrize(("seconds", "text"), [(300, "5m"), (5400, "90m"), (3600, "1h"), (86400, "1d")])
def test_intervals_are_shown_in_their_shortest_unit(seconds: int, text: str) -> None:
    assert format_interval(seconds) == text and parse_interval(text) == seconds


PERIODS = [
    # (time, interval, expected start) - periods are aligned to the epoch in UTC, [start, end)
    (T, H, T),  # a boundary starts a period
    (T - timedelta(microseconds=1), H, T - timedelta(hours=1)),  # ... and ends the one before
    (T + timedelta(minutes=59), H, T),
    (T + timedelta(minutes=7), 300, T + timedelta(minutes=5)),
    (T + timedelta(hours=13), 86400, datetime(2026, 11, 25, tzinfo=UTC)),  # a day starts at 00:00 UTC
    (T + timedelta(minutes=50), 5400, datetime(2026, 11, 25, 10, 30, tzinfo=UTC)),  # 90m: from the epoch
]


@pytest.mark.parametrize(("t", "interval", "start"), PERIODS)
def test_period_of(t: datetime, interval: int, start: datetime) -> None:
    p = period_of(t, interval)
    assert p == Period(start, start + timedelta(seconds=interval)) and p.start <= t < p.end


def pending(minutes: float, alert: str = "a") -> Pending:
    return Pending("sub_1", alert, T + timedelta(minutes=minutes))


DUE = [
    # (pending alerts, now, expected: (period start, alert ids) or None) for a 1h digest
    ((), T + timedelta(hours=5), None),  # nothing waits: nothing is sent, however long the period
    ((pending(10),), T + timedelta(minutes=59), None),  # the period is still running
    ((pending(10),), T + timedelta(hours=1), (T, ["a"])),  # it ended: its digest is due
    (
        (pending(10, "b"), pending(5, "a")),
        T + timedelta(hours=1, minutes=1),
        (T, ["a", "b"]),
    ),  # oldest first
    (
        (pending(10, "a"), pending(65, "b")),
        T + timedelta(hours=1, seconds=1),
        (T, ["a"]),
    ),  # an alert of the running period waits for the next digest
    (
        (pending(-120, "late"), pending(10, "a")),
        T + timedelta(hours=1),
        (T, ["late", "a"]),
    ),  # one that missed its own period's digest goes into the next one
    (
        (pending(10),),
        T + timedelta(hours=3, minutes=30),
        (T + timedelta(hours=2), ["a"]),
    ),  # a service down for periods: one digest, for the last period that ended
    ((pending(60),), T + timedelta(hours=1), None),  # created exactly at the end: the next period's
]


@pytest.mark.parametrize(("waiting", "now", "expected"), DUE)
def test_due(
    waiting: tuple[Pending, ...], now: datetime, expected: tuple[datetime, list[str]] | None
) -> None:
    got = due(waiting, now, H)
    if expected is None:
        assert got is None
    else:
        start, ids = expected
        assert got == (Period(start, start + timedelta(hours=1)), ids)


def test_digest_ids_are_stable_per_subscription_and_period() -> None:
    p, q = period_of(T, H), period_of(T + timedelta(hours=1), H)
    assert digest.digest_id("s", p) == digest.digest_id("s", p)
    assert len({digest.digest_id("s", p), digest.digest_id("s", q), digest.digest_id("t", p)}) == 3


def _alert(story: str, revision: int, minutes: int, kind: AlertKind = AlertKind.DETECTED) -> AlertRecord:
    data: dict[str, Any] = {
        "alert_id": f"alr_{story}_{revision}",
        "subscription_id": "sub_1",
        "subscription_name": "kharkiv",
        "story_id": story,
        "revision": revision,
        "event_types": [],
        "articles": [{"id": f"{story}-a"}],
        "articles_total": 1,
        "matched": {"regions": [{"value": "UA-63", "article_id": f"{story}-a"}]},
    }
    payload = {"version": "1", "type": str(kind), "timestamp": "2026-11-25T10:00:00Z", "data": data}
    created = T + timedelta(minutes=minutes)
    return AlertRecord(data["alert_id"], "sub_1", "acme", kind, story, revision, payload, created_at=created)


def test_the_body_holds_each_story_once_with_its_latest_alert_newest_first() -> None:
    sub = Subscription(
        "sub_1", "acme", "kharkiv", FILTERS, Webhook("https://h.example"), "whsec_x",
        delivery=Delivery(DeliveryMode.DIGEST, H),
    )  # fmt: skip
    alerts = [_alert("s1", 0, 5), _alert("s2", 0, 20), _alert("s1", 1, 40, AlertKind.UPDATED)]
    body = digest.build(sub, period_of(T, H), alerts, T + timedelta(hours=1))
    data = body["data"]
    assert body["type"] == "digest" and schema_errors("alert", body) == []
    assert [(s["story_id"], s["type"], s["revision"]) for s in data["stories"]] == [
        ("s1", "story.updated", 1),
        ("s2", "story.detected", 0),
    ]
    assert data["stories_total"] == 2 and data["alerts_total"] == 3 and body["truncated"] is False
    assert data["period"] == {
        "start": "2026-11-25T10:00:00Z",
        "end": "2026-11-25T11:00:00Z",
        "interval": "1h",
    }
    assert data["alert_id"] == digest.digest_id("sub_1", period_of(T, H))
    assert data["stories"][0]["matched"]["regions"][0]["value"] == "UA-63"  # explained as an alert is


def test_a_long_period_is_cut_and_says_so() -> None:
    sub = Subscription("sub_1", "acme", "k", FILTERS, Webhook("https://h.example"), "whsec_x")
    alerts = [_alert(f"s{n:03d}", 0, n % 60) for n in range(digest.MAX_STORIES + 5)]
    body = digest.build(sub, period_of(T, H), alerts, T + timedelta(hours=1))
    assert len(body["data"]["stories"]) == digest.MAX_STORIES and body["truncated"] is True
    assert body["data"]["stories_total"] == digest.MAX_STORIES + 5
    assert schema_errors("alert", body) == []
