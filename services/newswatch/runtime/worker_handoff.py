"""Where the distributed worker hands alerts off: the `AlertHandOff` protocol and two implementations.

The worker commits an article's offset only after `hand_off` returned for its batch and its
producer's flush returned, so an implementation must not return before its alerts are durable
(stored and enqueued), or must produce them to the worker's producer, whose flush covers them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from newswatch.domain.outcome import AlertDraft, Outcome
from newswatch.runtime.worker_records import WorkerTopics, alert_record
from newswatch.transport.base import Producer

log = logging.getLogger(__name__)


class AlertHandOff(Protocol):
    def hand_off(self, outcomes: Sequence[Outcome]) -> None:
        """Hand every alert of `outcomes` off (see the module docstring). Raise if it could not be."""


class TopicAlertHandOff:
    """Alert drafts produced to the `alerts` topic (the default until delivery is wired in).

    Produced to the worker's own producer and made durable by the worker's one flush per batch.
    """

    def __init__(self, producer: Producer, topics: WorkerTopics) -> None:
        self._producer = producer
        self._topics = topics

    def hand_off(self, outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            for draft in outcome.alerts:
                record = alert_record(draft, self._topics)
                self._producer.produce(record.topic, record.payload, record.key)


class SinkAlertHandOff:
    """Each draft to a per-alert sink (compose's `Services.alert_sink`: store, then enqueue delivery)."""

    def __init__(self, sink: Callable[[AlertDraft], None]) -> None:
        self._sink = sink

    def hand_off(self, outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            for draft in outcome.alerts:
                self._sink(draft)


class HeldAlertsFlusher:
    """Alerts held back by the planner (group_wait / repeat_interval) that fell due, to the sink.

    Called from the worker's loop after each batch (the planner is not thread-safe); acts at most
    every `every_s`. A failure is logged and the held notices stay held for the next round.
    """

    def __init__(
        self,
        flush_held: Callable[[datetime], tuple[AlertDraft, ...]],
        sink: Callable[[AlertDraft], None],
        clock: Callable[[], datetime],
        every_s: float = 1.0,
    ) -> None:
        self._flush_held, self._sink, self._clock, self._every_s = flush_held, sink, clock, every_s
        self._last = float("-inf")

    def __call__(self) -> None:
        if time.monotonic() - self._last < self._every_s:
            return
        self._last = time.monotonic()
        try:
            for draft in self._flush_held(self._clock()):
                self._sink(draft)
        except Exception:
            log.exception("handing off held alerts failed; they stay held")
