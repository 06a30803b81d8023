"""Where the distributed worker hands alerts off: the `AlertHandOff` protocol and two implementations.

The worker commits an article's offset only after `hand_off` returned for its batch and its
producer's flush returned, so an implementation must not return before its alerts are durable
(stored and enqueued), or must produce them to the worker's producer, whose flush covers them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
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
