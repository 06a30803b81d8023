"""Digest delivery, pure: the interval a subscriber asks for, when a period is due, and its body.

A digest subscription's story alerts are planned as usual (same matching, grouping, group_wait and
repeat_interval) but stored with status `in_digest` and listed as pending for the subscription
instead of being delivered one by one. Periods are aligned to the Unix epoch in UTC (a 1h digest
covers 10:00-11:00, a 1d digest a UTC day). Once `now` has passed a period's end, every pending
alert created before that end goes into one digest alert for the period: one webhook, with a
`webhook-id` stable for (subscription, period end). A period without alerts sends nothing. An alert
stored late (a planner whose batch started before the end committed after the digest was built)
is not lost: it is still pending, so it goes into the next period's digest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from newswatch.alerts.payload import ALERT_VERSION, iso
from newswatch.alerts.ports import AlertRecord, Pending, Subscription

MIN_INTERVAL_S = 5 * 60
MAX_INTERVAL_S = 24 * 3600
MAX_STORIES = 50  # per digest body, newest kept; `truncated` and `stories_total` say when cut
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNITS = {"m": 60, "h": 3600, "d": 86400}
_SHORT = re.compile(r"([1-9][0-9]{0,4})([mhd])")
_ISO = re.compile(r"P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?)?")
INTERVAL_HINT = 'write a number and a unit m, h or d ("30m", "1h", "1d") or an ISO 8601 duration ("PT1H")'


class BadInterval(ValueError):
    """An interval the API refuses; the message says why, `hint` what to write instead."""

    def __init__(self, message: str, hint: str = INTERVAL_HINT) -> None:
        super().__init__(message)
        self.hint = hint


def parse_interval(text: str) -> int:
    """Seconds of `"30m"`, `"1h"`, `"1d"` or an ISO 8601 duration (`"PT30M"`, `"P1D"`), between
    MIN_INTERVAL_S and MAX_INTERVAL_S and a whole number of minutes. Raises BadInterval."""
    # Exactly as schemas/subscription.v1's pattern has it: units in lower case, ISO 8601 in upper.
    short, long = _SHORT.fullmatch(text), _ISO.fullmatch(text)
    if short:
        seconds = int(short.group(1)) * _UNITS[short.group(2)]
    elif long and text not in ("P", "PT") and not text.endswith("T"):
        days, hours, minutes = (int(g or 0) for g in long.groups())
        seconds = days * 86400 + hours * 3600 + minutes * 60
    else:
        raise BadInterval(f"{text!r} is not an interval")
    if not MIN_INTERVAL_S <= seconds <= MAX_INTERVAL_S:
        raise BadInterval(
            f"{text!r} is outside {format_interval(MIN_INTERVAL_S)}..{format_interval(MAX_INTERVAL_S)}",
            "choose an interval from 5m to 24h (1d)",
        )
    return seconds


def format_interval(seconds: int) -> str:
    """The shortest of `Nd`, `Nh`, `Nm` that says `seconds` exactly (as the API shows it)."""
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"  # not reachable through parse_interval (whole minutes only)


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    @property
    def interval_s(self) -> int:
        return int((self.end - self.start).total_seconds())


def period_of(t: datetime, interval_s: int) -> Period:
    """The period holding `t`: [start, end), aligned to multiples of the interval since the epoch."""
    n = int((t - EPOCH).total_seconds()) // interval_s
    start = EPOCH + timedelta(seconds=n * interval_s)
    return Period(start, start + timedelta(seconds=interval_s))


def due(pending: Sequence[Pending], now: datetime, interval_s: int) -> tuple[Period, list[str]] | None:
    """The digest to send at `now` for one subscription's pending alerts: the last period that
    ended by `now`, with the alerts created before its end (oldest first); None when none is due
    (no pending alert, or all of them belong to the period still running)."""
    period = period_of(now, interval_s)
    last = Period(period.start - timedelta(seconds=interval_s), period.start)
    ready = sorted((p for p in pending if p.created_at < last.end), key=lambda p: (p.created_at, p.alert_id))
    return (last, [p.alert_id for p in ready]) if ready else None


def digest_id(subscription_id: str, period: Period) -> str:
    """Stable for (subscription, period end): a digest built twice (two workers, a retry) is one alert."""
    digest = hashlib.sha256(f"{subscription_id}|digest|{iso(period.end)}".encode()).hexdigest()
    return "dig_" + digest[:24]


def build(sub: Subscription, period: Period, alerts: Sequence[AlertRecord], now: datetime) -> dict[str, Any]:
    """The digest body (schemas/alert.v1, type `digest`): one entry per story, its latest alert of
    the period (its `type` says whether the story was new or updated), newest first."""
    latest: dict[str, AlertRecord] = {}
    for a in sorted(alerts, key=lambda a: (a.story_id, a.revision)):
        latest[a.story_id] = a
    ordered = sorted(latest.values(), key=lambda a: (a.created_at or now, a.id), reverse=True)
    stories = [{"type": str(a.kind), **a.payload["data"]} for a in ordered]
    return {
        "version": ALERT_VERSION,
        "type": "digest",
        "timestamp": iso(now),
        "truncated": len(stories) > MAX_STORIES
        or any(a.payload.get("truncated") for a in ordered[:MAX_STORIES]),
        "data": {
            "alert_id": digest_id(sub.id, period),
            "subscription_id": sub.id,
            "subscription_name": sub.name,
            "period": {
                "start": iso(period.start),
                "end": iso(period.end),
                "interval": format_interval(period.interval_s),
            },
            "stories": stories[:MAX_STORIES],
            "stories_total": len(stories),
            "alerts_total": len(alerts),
        },
    }
