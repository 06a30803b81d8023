"""The pipeline thread of `newswatch run`: poll the queue, process, plan alerts, hand off, then commit.

Per poll batch: the pure pipeline per message, then the story planner once for the batch (its
alerts stored with their notices in one transaction), then each message's hand-off in order.
An offset is committed only after everything its article produced is stored: the analysis, the
dead-letter record of an invalid message, or the alerts (stored, then enqueued for delivery). A
crash in between redelivers the message, so processing is at least once and every hand-off is
idempotent (analyses overwrite, alerts are keyed by a stable id; an alert stored but never
enqueued is found in the outbox by the next `flush_held`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from newswatch.domain.errors import InvalidMessage
from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import Outcome
from newswatch.observability.metrics import Stage
from newswatch.pipeline import Pipeline
from newswatch.runtime.core import (
    MONOTONIC,
    RETRY_FIRST_S,
    Every,
    HeldAlertsFlusher,
    Monotonic,
    Stopped,
    retrying,
)
from newswatch.runtime.instrumentation import observe_outcome
from newswatch.store.dead_letters import dead_letter_record
from newswatch.transport.base import Consumer, Envelope, Position

if TYPE_CHECKING:
    from newswatch.compose import Services

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_TIMEOUT_S = 0.5
MAX_RECORDS = 100
FLUSH_EVERY_S = 1.0
PRUNE_EVERY_S = 60.0  # how often committed messages are deleted from the embedded log


def hand_off(services: Services, outcome: Outcome) -> None:
    """Each alert (stored and enqueued for delivery), then the analysis.

    The analysis goes last so that once it is visible, everything else the
    article produced is too.
    """
    for draft in outcome.alerts:
        services.alert_sink(draft)
    services.analyses.put(outcome.article.id, outcome.analysis.to_dict())


def dead_letter(services: Services, exc: InvalidMessage, env: Envelope) -> None:
    p = env.position
    source = {"transport": "embedded", "topic": p.topic, "partition": p.partition, "offset": p.offset}
    services.dead_letters.put(dead_letter_record(exc, env.payload, source, services.clock()))
    services.metrics.dead_lettered(exc.reason)


class PipelineLoop:
    """Runs until `stop` is set; then finishes the message in hand, commits and closes."""

    def __init__(
        self,
        services: Services,
        pipeline: Pipeline,
        consumer: Consumer,
        retry_first_s: float = RETRY_FIRST_S,
        monotonic: Monotonic = MONOTONIC,
    ) -> None:
        self._s = services
        self._pipeline = pipeline
        self._consumer = consumer
        self._retry_first_s = retry_first_s
        self.stop = threading.Event()
        self._held = HeldAlertsFlusher(
            services.flush_held, services.alert_sink, services.clock, FLUSH_EVERY_S, monotonic
        )
        self._prune_every = Every(PRUNE_EVERY_S, monotonic, first=False)

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                batch = self._consumer.poll(POLL_TIMEOUT_S, MAX_RECORDS)
                self._consumer.commit(self._process(batch))
                self._flush_held()
                self._prune()
        finally:
            self._consumer.close()

    def _flush_held(self) -> None:
        """Alerts held back by group_wait/repeat_interval that are due now (state is in the stores)."""
        self._held()

    def _prune(self) -> None:
        """Drop what every consumer group has committed, so the queue file does not grow forever."""
        if not self._prune_every.due():
            return
        try:
            removed = self._s.prune_queue()
        except Exception:  # housekeeping only: the next round tries again
            log.exception("pruning the embedded queue failed")
            return
        if removed:
            log.info("pruned %d committed messages from the embedded queue", removed)

    def _process(self, batch: list[Envelope]) -> list[Position]:
        """Plan the batch's alerts at once, then hand off each message in order; the positions of
        those done (all unless stopped)."""
        done: dict[tuple[str, int], Position] = {}
        if not batch:
            return []
        self._s.metrics.article_consumed(len(batch))
        try:
            planned = self._retrying(partial(self._plan, batch))
        except Stopped:
            return []
        for env, outcome in zip(batch, planned, strict=True):
            try:
                self._retrying(partial(self._handle, env, outcome))
            except Stopped:
                break
            done[env.position.topic, env.position.partition] = env.position  # in order per partition
        return list(done.values())

    def _retrying(self, step: Callable[[], T]) -> T:
        """Unexpected errors (a store down, a bug) retry the same step with backoff: never skip it."""
        return retrying(step, self.stop, lambda: "processing", self._retry_first_s)

    def _plan(self, batch: list[Envelope]) -> list[Outcome | InvalidMessage]:
        """The pure stages per message, then the alerts of the whole batch at once (stored, with
        the notices that announce them, when this returns)."""
        now = self._s.clock()
        results: list[tuple[Article, Analysis] | InvalidMessage] = []
        for env in batch:
            try:
                results.append(self._pipeline.analyse(env.payload))
            except InvalidMessage as exc:
                results.append(exc)
        pairs = [r for r in results if not isinstance(r, InvalidMessage)]
        planned = iter(self._pipeline.plan_batch(pairs, now) if pairs else [])
        return [r if isinstance(r, InvalidMessage) else Outcome(*r, next(planned)) for r in results]

    def _handle(self, env: Envelope, outcome: Outcome | InvalidMessage) -> None:
        m = self._s.metrics
        if isinstance(outcome, InvalidMessage):
            m.article_invalid(outcome.reason)
            dead_letter(self._s, outcome, env)
            return
        observe_outcome(m, outcome)
        with m.time_stage(Stage.HAND_OFF):
            hand_off(self._s, outcome)
