"""What both runtimes share: retry with backoff, periodic chores and the held-alerts flush.

`newswatch run`'s pipeline thread (runtime/embedded_loop.py) and `newswatch worker`
(runtime/worker.py) differ in what a step is (one message, or one batch with its
produce/flush/commit), not in how a failing step is retried or how often the
planner's held alerts are looked at. Time comes in as a `monotonic` callable, so
tests drive these without sleeping; waits are on the stop event, so a stop request
ends a retry wait at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from newswatch.domain.outcome import AlertDraft

log = logging.getLogger(__name__)

RETRY_FIRST_S = 0.5
RETRY_MAX_S = 30.0
Monotonic = Callable[[], float]
MONOTONIC: Monotonic = time.monotonic

_T = TypeVar("_T")


class Stopped(Exception):
    """Stop was requested while a failing step was waiting to be retried."""


def retrying(
    attempt: Callable[[], _T],
    stop: threading.Event,
    what: Callable[[], str],
    first_s: float = RETRY_FIRST_S,
    max_s: float = RETRY_MAX_S,
) -> _T:
    """`attempt()` until it returns, waiting `first_s`, then twice as long each time (up to
    `max_s`) after each failure, which is logged with `what()`. Raises Stopped when `stop` is
    set during a wait; never skips the step."""
    delay = first_s
    while True:
        try:
            return attempt()
        except Exception:
            log.exception("%s failed; retrying in %.1fs", what(), delay)
        if stop.wait(delay):
            raise Stopped
        delay = min(delay * 2, max_s)


class Every:
    """`due()` is true at most once per `interval_s` of `monotonic` time (first call: `first`)."""

    def __init__(self, interval_s: float, monotonic: Monotonic = MONOTONIC, first: bool = True) -> None:
        self._interval_s, self._monotonic = interval_s, monotonic
        self._last = float("-inf") if first else monotonic()

    def due(self) -> bool:
        now = self._monotonic()
        if now - self._last < self._interval_s:
            return False
        self._last = now
        return True


class HeldAlertsFlusher:
    """Alerts held back by the planner (group_wait / repeat_interval) that fell due, to the sink.

    Called from the loop's own thread after each poll (the planner is not thread-safe); acts at
    most every `every_s`. A failure is logged and the held notices stay held for the next round.
    """

    def __init__(
        self,
        flush_held: Callable[[datetime], tuple[AlertDraft, ...]],
        sink: Callable[[AlertDraft], None],
        clock: Callable[[], datetime],
        every_s: float = 1.0,
        monotonic: Monotonic = MONOTONIC,
    ) -> None:
        self._flush_held, self._sink, self._clock = flush_held, sink, clock
        self._every = Every(every_s, monotonic)

    def __call__(self) -> None:
        if not self._every.due():
            return
        try:
            for draft in self._flush_held(self._clock()):
                self._sink(draft)
        except Exception:
            log.exception("handing off held alerts failed; they stay held")
