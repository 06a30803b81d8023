"""What follows an attempt: the log outcome, the alert's status, and the next wait (pure)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from newswatch.alerts.ports import AlertStatus
from newswatch.delivery.log import Outcome
from newswatch.delivery.policy.classify import Decision, Verdict
from newswatch.delivery.policy.schedule import Schedule


@dataclass(frozen=True, slots=True)
class Step:
    outcome: Outcome
    status: AlertStatus
    delay: float | None = None  # seconds until the next attempt; None: no further attempt
    disable: bool = False  # switch the subscription off (410 Gone)


def circuit_open_step(attempt: int, wait: float, schedule: Schedule, rng: random.Random) -> Step:
    """The breaker refused: the attempt is spent unsent and the next one waits out the cooldown."""
    delay = schedule.next_delay(attempt, rng)
    if delay is None:
        return Step(Outcome.EXHAUSTED, AlertStatus.EXHAUSTED)
    return Step(Outcome.CIRCUIT_OPEN, AlertStatus.FAILED, max(delay, wait))


def next_step(decision: Decision, attempt: int, schedule: Schedule, rng: random.Random) -> Step:
    """Exhausted and given-up alerts are kept (status exhausted) so a replay can resend them."""
    if decision.verdict is Verdict.DONE:
        return Step(Outcome.DELIVERED, AlertStatus.DELIVERED)
    if decision.verdict is Verdict.DISABLE:
        return Step(Outcome.DISABLED, AlertStatus.DISABLED, disable=True)
    if decision.verdict is Verdict.GIVE_UP:
        return Step(Outcome.GAVE_UP, AlertStatus.EXHAUSTED)
    delay = schedule.next_delay(attempt, rng, decision.retry_after)
    if delay is None:
        return Step(Outcome.EXHAUSTED, AlertStatus.EXHAUSTED)
    return Step(Outcome.RETRY, AlertStatus.FAILED, delay)
