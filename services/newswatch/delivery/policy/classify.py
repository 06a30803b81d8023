"""Retry classification: a pure function of one attempt's result.

2xx is done; 5xx, 429, timeouts and connection errors are retried; 410 Gone
disables the endpoint (the receiver told us it will never accept again); any
other 4xx gives up, because resending the same signed body cannot fix it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime


class Verdict(enum.StrEnum):
    DONE = "done"
    RETRY = "retry"
    GIVE_UP = "give_up"
    DISABLE = "disable"


@dataclass(frozen=True, slots=True)
class Result:
    """What one HTTP attempt produced: a status, or a transport error (never both)."""

    status: int | None
    error: str | None = None
    retry_after: str | None = None  # raw `Retry-After` header value, if any
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    retry_after: float | None = None  # seconds the receiver asked us to wait


def classify(result: Result, now: datetime) -> Decision:
    """Decide what to do after an attempt; `now` only resolves HTTP-date `Retry-After`."""
    status = result.status
    if status is None:
        return Decision(Verdict.RETRY)  # timeout, refused connection, reset...
    if 200 <= status < 300:
        return Decision(Verdict.DONE)
    if status == 410:
        return Decision(Verdict.DISABLE)
    if status == 429 or status >= 500:
        return Decision(Verdict.RETRY, parse_retry_after(result.retry_after, now))
    return Decision(Verdict.GIVE_UP)  # other 4xx, and 1xx/3xx (we never follow redirects)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """`Retry-After` as seconds from `now`: delta-seconds or an HTTP date; None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None  # RFC 9110 dates are always GMT; a naive one is malformed
    return max(0.0, (when - now).total_seconds())
