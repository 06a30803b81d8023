"""A circuit breaker per endpoint, as pure state transitions with an injected `now`.

Closed: attempts flow; `threshold` consecutive transient failures open it.
Open: attempts fail fast without a request (they are spent, so the retry
schedule stays bounded) and the next one is pushed past the `cooldown`.
Half-open: one probe goes through; success closes, failure re-opens. A probe
whose result never arrives (worker crash) is superseded after another `cooldown`.
This keeps one dead receiver from eating every worker's 15 s timeout while
the alerts of healthy receivers wait behind it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace


class State(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class Policy:
    threshold: int = 5
    cooldown: float = 60.0


@dataclass(frozen=True, slots=True)
class Breaker:
    state: State = State.CLOSED
    failures: int = 0  # consecutive transient failures while closed
    since: float = 0.0  # when it opened, or when the half-open probe started


def allow(b: Breaker, now: float, policy: Policy) -> tuple[bool, Breaker]:
    """May an attempt go now? Returns the decision and the breaker after it."""
    if b.state is State.CLOSED:
        return True, b
    if now - b.since < policy.cooldown:
        return False, b
    return True, Breaker(State.HALF_OPEN, b.failures, now)  # let one probe through


def on_success(b: Breaker) -> Breaker:
    """The receiver answered (2xx, or a 4xx that proves it is up)."""
    return Breaker()


def on_failure(b: Breaker, now: float, policy: Policy) -> Breaker:
    """A transient failure (timeout, connection error, 5xx, 429)."""
    if b.state is State.HALF_OPEN:
        return Breaker(State.OPEN, b.failures + 1, now)
    failures = b.failures + 1
    if failures >= policy.threshold:
        return Breaker(State.OPEN, failures, now)
    return replace(b, failures=failures)


def wait_for(b: Breaker, now: float, policy: Policy) -> float:
    """Seconds until `allow` could say yes again (0 when it already would)."""
    if b.state is State.CLOSED:
        return 0.0
    return max(0.0, b.since + policy.cooldown - now)
