from __future__ import annotations

import random

import pytest

from newswatch.delivery.policy.schedule import DEFAULT_DELAYS, Schedule, parse_delays


class FixedRandom(random.Random):
    """An RNG whose `random()` always returns one value, to pin the jitter."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


NO_JITTER = FixedRandom(0.5)  # 2*0.5-1 == 0: factor exactly 1

NEXT_DELAY_CASES = [
    # after the immediate first attempt, wait 5 s
    (Schedule(), 1, NO_JITTER, None, 5.0),
    # after attempt 2, wait 5 min
    (Schedule(), 2, NO_JITTER, None, 300.0),
    # after attempt 7 the last 10 h wait
    (Schedule(), 7, NO_JITTER, None, 36000.0),
    # after the 8th attempt the schedule is exhausted
    (Schedule(), 8, NO_JITTER, None, None),
    # lowest jitter draw shortens by 20 %
    (Schedule(), 1, FixedRandom(0.0), None, 4.0),
    # highest jitter draw lengthens by up to 20 %
    (Schedule(), 2, FixedRandom(1.0), None, 360.0),
    # Retry-After longer than the scheduled wait wins
    (Schedule(), 1, NO_JITTER, 60.0, 60.0),
    # Retry-After shorter than the scheduled wait does not shorten it
    (Schedule(), 2, NO_JITTER, 10.0, 300.0),
    # a huge Retry-After is capped at the longest wait of the schedule
    (Schedule(), 1, NO_JITTER, 10**9, 36000.0),
    # Retry-After cannot extend an exhausted schedule
    (Schedule(), 8, NO_JITTER, 5.0, None),
    # short test schedule: two retries then give up
    (Schedule((0, 0.2, 0.5), jitter=0), 2, FixedRandom(0.9), None, 0.5),
    (Schedule((0, 0.2, 0.5), jitter=0), 3, FixedRandom(0.9), None, None),
]


@pytest.mark.parametrize(("schedule", "attempt", "rng", "retry_after", "expected"), NEXT_DELAY_CASES)
def test_next_delay(
    schedule: Schedule, attempt: int, rng: random.Random, retry_after: float | None, expected: float | None
) -> None:
    got = schedule.next_delay(attempt, rng, retry_after)
    assert got == (None if expected is None else pytest.approx(expected))


def test_default_schedule_is_the_documented_one() -> None:
    assert DEFAULT_DELAYS == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    assert Schedule().max_attempts == 8


def test_jitter_stays_within_bounds_for_many_draws() -> None:
    rng = random.Random(42)
    draws = [Schedule().next_delay(3, rng) for _ in range(500)]
    assert all(d is not None and 1440.0 <= d <= 2160.0 for d in draws)
    assert len({round(d or 0) for d in draws}) > 100  # actually spread, not constant


PARSE_CASES = [
    # the test-only short schedule
    ("0,0.2,0.5", (0.0, 0.2, 0.5)),
    # spaces and a trailing comma tolerated
    (" 0, 5 ,", (0.0, 5.0)),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_delays(text: str, expected: tuple[float, ...]) -> None:
    assert parse_delays(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty: no attempt at all would be made
        "0,-1",  # negative waits are nonsense
        "0,abc",  # not a number
    ],
)
def test_parse_delays_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_delays(text)
