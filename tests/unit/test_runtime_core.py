"""The retry, periodic and held-alert helpers both runtimes share, driven by an injected clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from newswatch.domain.outcome import AlertDraft
from newswatch.runtime.core import Every, HeldAlertsFlusher, Stopped, retrying

NOW = datetime(2026, 3, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class WaitLog(threading.Event):
    """A stop event that records each wait instead of sleeping; set after `stop_after` waits."""

    def __init__(self, stop_after: int = 1_000) -> None:
        super().__init__()
        self.waits: list[float] = []
        self._stop_after = stop_after

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout or 0.0)
        return len(self.waits) >= self._stop_after


def test_retrying_backs_off_doubling_up_to_the_cap_and_returns_the_result() -> None:
    failures = iter([True] * 5)

    def attempt() -> str:
        if next(failures, False):
            raise ConnectionError("down")
        return "done"

    stop = WaitLog()
    assert retrying(attempt, stop, lambda: "step", first_s=1.0, max_s=5.0) == "done"
    assert stop.waits == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_retrying_raises_stopped_when_stop_is_set_during_a_wait(caplog: pytest.LogCaptureFixture) -> None:
    def attempt() -> None:
        raise ConnectionError("down")

    stop = WaitLog(stop_after=2)
    with pytest.raises(Stopped):
        retrying(attempt, stop, lambda: "the batch at 7", first_s=0.5)
    assert stop.waits == [0.5, 1.0] and "the batch at 7 failed; retrying in 0.5s" in caplog.text


@pytest.mark.parametrize(
    ("first", "steps", "expected"),
    [
        (True, [0.0, 0.5, 1.0, 1.5, 2.5], [True, False, True, False, True]),  # due at once, then each 1 s
        (False, [0.5, 1.0], [False, True]),  # first due one interval after construction
    ],
)
def test_every_is_due_once_per_interval(first: bool, steps: list[float], expected: list[bool]) -> None:
    clock = Clock()
    every = Every(1.0, clock, first=first)
    got = []
    for at in steps:
        clock.now = 100.0 + at
        got.append(every.due())
    assert got == expected


def test_held_alerts_flusher_follows_the_injected_clock() -> None:
    clock, sent = Clock(), list[AlertDraft]()
    flush = HeldAlertsFlusher(
        lambda now: (AlertDraft("h", "s", "story.updated"),), sent.append, lambda: NOW, 2.0, clock
    )
    flush()
    clock.now += 1.0
    flush()  # within the interval
    clock.now += 1.0
    flush()
    assert [d.id for d in sent] == ["h", "h"]
