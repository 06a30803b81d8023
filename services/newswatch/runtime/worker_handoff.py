"""Where the distributed worker hands alerts off: the `AlertHandOff` protocol and two implementations.

The worker commits an article's offset only after `hand_off` returned for its batch, so an
implementation must not return before its alerts are durable (stored and enqueued, or produced
and acknowledged).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from newswatch.domain.clock import utcnow
from newswatch.domain.outcome import AlertDraft, Outcome
from newswatch.runtime.worker_records import WorkerTopics, alert_record
from newswatch.transport.base import Producer

log = logging.getLogger(__name__)


class AlertHandOff(Protocol):
    def hand_off(self, outcomes: Sequence[Outcome]) -> Sequence[Outcome]:
        """Make every alert of `outcomes` durable; block until it is. Raise if it could not be.

        Returns the outcomes with every alert handed off (a planning hand-off adds the alerts
        it planned for the batch)."""


class TopicAlertHandOff:
    """Alert drafts produced to the `alerts` topic (the default until delivery is wired in)."""

    def __init__(self, producer: Producer, topics: WorkerTopics) -> None:
        self._producer = producer
        self._topics = topics

    def hand_off(self, outcomes: Sequence[Outcome]) -> Sequence[Outcome]:
        produced = False
        for outcome in outcomes:
            for draft in outcome.alerts:
                record = alert_record(draft, self._topics)
                self._producer.produce(record.topic, record.payload, record.key)
                produced = True
        if produced:
            self._producer.flush()
        return outcomes


class SinkAlertHandOff:
    """Plans the batch's alerts (compose's `Services.plan_alerts`: read stories, plan, commit the
    alerts with their notices), then each draft to a per-alert sink (`Services.alert_sink`:
    enqueue delivery)."""

    def __init__(
        self,
        sink: Callable[[AlertDraft], None],
        plan: Callable[[Sequence[Outcome], datetime], list[Outcome]] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sink, self._plan, self._clock = sink, plan, clock

    def hand_off(self, outcomes: Sequence[Outcome]) -> Sequence[Outcome]:
        planned = self._plan(outcomes, self._clock()) if self._plan is not None else outcomes
        for outcome in planned:
            for draft in outcome.alerts:
                self._sink(draft)
        return planned


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
