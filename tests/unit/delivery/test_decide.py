from __future__ import annotations

import random

import pytest

from newswatch.alerts.ports import AlertStatus
from newswatch.delivery.log import Outcome
from newswatch.delivery.policy.classify import Decision, Verdict
from newswatch.delivery.policy.decide import Step, circuit_open_step, next_step
from newswatch.delivery.policy.schedule import Schedule

SHORT = Schedule((0, 1, 10), jitter=0)

CASES = [
    # 2xx on the first attempt: delivered, nothing follows
    (Decision(Verdict.DONE), 1, Step(Outcome.DELIVERED, AlertStatus.DELIVERED)),
    # 410 disables the subscription
    (Decision(Verdict.DISABLE), 1, Step(Outcome.DISABLED, AlertStatus.DISABLED, disable=True)),
    # other 4xx: give up at once, kept as exhausted for replay
    (Decision(Verdict.GIVE_UP), 1, Step(Outcome.GAVE_UP, AlertStatus.EXHAUSTED)),
    # first transient failure: wait the second slot of the schedule
    (Decision(Verdict.RETRY), 1, Step(Outcome.RETRY, AlertStatus.FAILED, 1.0)),
    # second failure: the third slot
    (Decision(Verdict.RETRY), 2, Step(Outcome.RETRY, AlertStatus.FAILED, 10.0)),
    # failure on the last attempt: exhausted, kept for replay
    (Decision(Verdict.RETRY), 3, Step(Outcome.EXHAUSTED, AlertStatus.EXHAUSTED)),
    # Retry-After stretches the wait
    (Decision(Verdict.RETRY, 7.0), 1, Step(Outcome.RETRY, AlertStatus.FAILED, 7.0)),
]


OPEN_CASES = [
    # breaker open early: the next try waits at least the rest of the cooldown
    (1, 30.0, Step(Outcome.CIRCUIT_OPEN, AlertStatus.FAILED, 30.0)),
    # a scheduled wait longer than the cooldown is kept
    (2, 3.0, Step(Outcome.CIRCUIT_OPEN, AlertStatus.FAILED, 10.0)),
    # open on the last attempt: exhausted (bounded even while the endpoint is down)
    (3, 30.0, Step(Outcome.EXHAUSTED, AlertStatus.EXHAUSTED)),
]


@pytest.mark.parametrize(("attempt", "wait", "expected"), OPEN_CASES)
def test_circuit_open_step(attempt: int, wait: float, expected: Step) -> None:
    assert circuit_open_step(attempt, wait, SHORT, random.Random(1)) == expected


@pytest.mark.parametrize(("decision", "attempt", "expected"), CASES)
def test_next_step(decision: Decision, attempt: int, expected: Step) -> None:
    assert next_step(decision, attempt, SHORT, random.Random(1)) == expected
