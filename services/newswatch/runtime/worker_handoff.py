"""Where the distributed worker hands alerts off: the `AlertHandOff` protocol and two implementations.

The worker commits an article's offset only after `hand_off` returned for its batch, so an
implementation must not return before its alerts are durable (stored and enqueued, or produced
and acknowledged).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from newswatch.domain.outcome import AlertDraft, Outcome
from newswatch.runtime.worker_records import WorkerTopics, alert_record
from newswatch.transport.base import Producer


class AlertHandOff(Protocol):
    def hand_off(self, outcomes: Sequence[Outcome]) -> None:
        """Make every alert of `outcomes` durable; block until it is. Raise if it could not be."""


class TopicAlertHandOff:
    """Alert drafts produced to the `alerts` topic (the default until delivery is wired in)."""

    def __init__(self, producer: Producer, topics: WorkerTopics) -> None:
        self._producer = producer
        self._topics = topics

    def hand_off(self, outcomes: Sequence[Outcome]) -> None:
        produced = False
        for outcome in outcomes:
            for draft in outcome.alerts:
                record = alert_record(draft, self._topics)
                self._producer.produce(record.topic, record.payload, record.key)
                produced = True
        if produced:
            self._producer.flush()


class SinkAlertHandOff:
    """Each draft to a per-alert sink (compose's `Services.alert_sink`: store, then enqueue delivery)."""

    def __init__(self, sink: Callable[[AlertDraft], None]) -> None:
        self._sink = sink

    def hand_off(self, outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            for draft in outcome.alerts:
                self._sink(draft)
