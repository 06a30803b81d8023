from __future__ import annotations

import random

import pytest

from newswatch.alerts.ports import AlertStatus
from newswatch.delivery.log import AttemptOutcome
from newswatch.delivery.policy.classify import ResponseDecision, ResponseVerdict
from newswatch.delivery.policy.decide import Step, circuit_open_step, next_step
from newswatch.delivery.policy.schedule import Schedule

SHORT = Schedule((0, 1, 10), jitter=0)

CASES = [
    # 2xx on the first attempt: delivered, nothing follows
    (ResponseDecision(ResponseVerdict.DONE), 1, Step(AttemptOutcome.DELIVERED, AlertStatus.DELIVERED)),
    # 410 disables the subscription
    (
        ResponseDecision(ResponseVerdict.DISABLE),
        1,
        Step(AttemptOutcome.DISABLED, AlertStatus.DISABLED, disable=True),
    ),
    # other 4xx: give up at once, kept as exhausted for replay
    (ResponseDecision(ResponseVerdict.GIVE_UP), 1, Step(AttemptOutcome.GAVE_UP, AlertStatus.EXHAUSTED)),
    # first transient failure: wait the second slot of the schedule
    (ResponseDecision(ResponseVerdict.RETRY), 1, Step(AttemptOutcome.RETRY, AlertStatus.FAILED, 1.0)),
    # second failure: the third slot
    (ResponseDecision(ResponseVerdict.RETRY), 2, Step(AttemptOutcome.RETRY, AlertStatus.FAILED, 10.0)),
    # failure on the last attempt: exhausted, kept for replay
    (ResponseDecision(ResponseVerdict.RETRY), 3, Step(AttemptOutcome.EXHAUSTED, AlertStatus.EXHAUSTED)),
    # Retry-After stretches the wait
    (ResponseDecision(ResponseVerdict.RETRY, 7.0), 1, Step(AttemptOutcome.RETRY, AlertStatus.FAILED, 7.0)),
]


OPEN_CASES = [
    # breaker open early: the next try waits at least the rest of the cooldown
    (1, 30.0, Step(AttemptOutcome.CIRCUIT_OPEN, AlertStatus.FAILED, 30.0)),
    # a scheduled wait longer than the cooldown is kept
    (2, 3.0, Step(AttemptOutcome.CIRCUIT_OPEN, AlertStatus.FAILED, 10.0)),
    # open on the last attempt: exhausted (bounded even while the endpoint is down)
    (3, 30.0, Step(AttemptOutcome.EXHAUSTED, AlertStatus.EXHAUSTED)),
]


@pytest.mark.parametrize(("attempt", "wait", "expected"), OPEN_CASES)
def test_circuit_open_step(attempt: int, wait: float, expected: Step) -> None:
    assert circuit_open_step(attempt, wait, SHORT, random.Random(1)) == expected


@pytest.mark.parametrize(("decision", "attempt", "expected"), CASES)
def test_next_step(decision: ResponseDecision, attempt: int, expected: Step) -> None:
    assert next_step(decision, attempt, SHORT, random.Random(1)) == expected
