from __future__ import annotations

import pytest

from newswatch.delivery.policy.breaker import Breaker, Policy, State, allow, on_failure, on_success, wait_for

P = Policy(threshold=3, cooldown=60.0)
CLOSED = Breaker()
CLOSED_2 = Breaker(State.CLOSED, 2, 0.0)
OPEN_AT_100 = Breaker(State.OPEN, 3, 100.0)
PROBING_SINCE_200 = Breaker(State.HALF_OPEN, 3, 200.0)

ALLOW_CASES = [
    # closed lets everything through unchanged
    (CLOSED, 0.0, True, CLOSED),
    # closed with some failures still lets through
    (CLOSED_2, 5.0, True, CLOSED_2),
    # open within the cooldown refuses
    (OPEN_AT_100, 159.9, False, OPEN_AT_100),
    # open after the cooldown lets one probe through and goes half-open
    (OPEN_AT_100, 160.0, True, Breaker(State.HALF_OPEN, 3, 160.0)),
    # while a probe is in flight, others are refused
    (PROBING_SINCE_200, 210.0, False, PROBING_SINCE_200),
    # a probe lost for a whole cooldown is replaced by a new one
    (PROBING_SINCE_200, 260.0, True, Breaker(State.HALF_OPEN, 3, 260.0)),
]


@pytest.mark.parametrize(("before", "now", "allowed", "after"), ALLOW_CASES)
def test_allow(before: Breaker, now: float, allowed: bool, after: Breaker) -> None:
    assert allow(before, now, P) == (allowed, after)


FAILURE_CASES = [
    # first failure counts
    (CLOSED, 10.0, Breaker(State.CLOSED, 1, 0.0)),
    # reaching the threshold opens at `now`
    (CLOSED_2, 10.0, Breaker(State.OPEN, 3, 10.0)),
    # a failed probe re-opens with a fresh cooldown
    (PROBING_SINCE_200, 205.0, Breaker(State.OPEN, 4, 205.0)),
]


@pytest.mark.parametrize(("before", "now", "after"), FAILURE_CASES)
def test_on_failure(before: Breaker, now: float, after: Breaker) -> None:
    assert on_failure(before, now, P) == after


SUCCESS_CASES = [
    # success resets the failure count
    (CLOSED_2, CLOSED),
    # a successful probe closes the breaker
    (PROBING_SINCE_200, CLOSED),
]


@pytest.mark.parametrize(("before", "after"), SUCCESS_CASES)
def test_on_success(before: Breaker, after: Breaker) -> None:
    assert on_success(before) == after


WAIT_CASES = [
    # closed: no wait
    (CLOSED_2, 50.0, 0.0),
    # open: the rest of the cooldown
    (OPEN_AT_100, 130.0, 30.0),
    # cooldown over: no wait
    (OPEN_AT_100, 500.0, 0.0),
    # probing: wait until the probe would be superseded
    (PROBING_SINCE_200, 220.0, 40.0),
]


@pytest.mark.parametrize(("b", "now", "expected"), WAIT_CASES)
def test_wait_for(b: Breaker, now: float, expected: float) -> None:
    assert wait_for(b, now, P) == expected
