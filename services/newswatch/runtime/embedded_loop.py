"""The pipeline thread of `newswatch run`: poll the queue, process, hand off, then commit.

An offset is committed only after everything its article produced is stored:
the analysis, the dead-letter record of an invalid message, or the alerts
(stored, then enqueued for delivery). A crash in between redelivers the
message, so processing is at least once and every hand-off is idempotent
(analyses overwrite, alerts are keyed by a stable id).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from newswatch.domain.errors import InvalidMessage
from newswatch.domain.outcome import Outcome
from newswatch.observability.metrics import Stage
from newswatch.pipeline import Pipeline
from newswatch.runtime.instrumentation import observe_outcome
from newswatch.store.dead_letters import dead_letter_record
from newswatch.transport.base import Consumer, Envelope, Position

if TYPE_CHECKING:
    from newswatch.compose import Services

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 0.5
MAX_RECORDS = 100
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 30.0
FLUSH_EVERY_S = 1.0
PRUNE_EVERY_S = 60.0  # how often committed messages are deleted from the embedded log


class Stopped(Exception):
    """Stop was requested while a message was being retried."""


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
        self, services: Services, pipeline: Pipeline, consumer: Consumer, retry_first_s: float = RETRY_FIRST_S
    ) -> None:
        self._s = services
        self._pipeline = pipeline
        self._consumer = consumer
        self._retry_first_s = retry_first_s
        self.stop = threading.Event()
        self._flushed = 0.0
        self._pruned = time.monotonic()

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
        if time.monotonic() - self._flushed < FLUSH_EVERY_S:
            return
        self._flushed = time.monotonic()
        try:
            for draft in self._s.flush_held(self._s.clock()):
                self._s.alert_sink(draft)
        except Exception:  # the held notices stay held: the next round tries again
            log.exception("flushing held alerts failed")

    def _prune(self) -> None:
        """Drop what every consumer group has committed, so the queue file does not grow forever."""
        if time.monotonic() - self._pruned < PRUNE_EVERY_S:
            return
        self._pruned = time.monotonic()
        try:
            removed = self._s.prune_queue()
        except Exception:  # housekeeping only: the next round tries again
            log.exception("pruning the embedded queue failed")
            return
        if removed:
            log.info("pruned %d committed messages from the embedded queue", removed)

    def _process(self, batch: list[Envelope]) -> list[Position]:
        """Hand off each message in order; the positions of those done (all unless stopped)."""
        done: dict[tuple[str, int], Position] = {}
        for env in batch:
            self._s.metrics.article_consumed()
            try:
                self._retrying(env)
            except Stopped:
                break
            done[env.position.topic, env.position.partition] = env.position  # in order per partition
        return list(done.values())

    def _retrying(self, env: Envelope) -> None:
        """Unexpected errors (a store down, a bug) retry the same message with backoff: never skip it."""
        delay = self._retry_first_s
        while True:
            try:
                return self._handle(env)
            except Exception:
                log.exception("processing %s failed; retrying in %.1fs", env.position, delay)
            if self.stop.wait(delay):
                raise Stopped
            delay = min(delay * 2, RETRY_MAX_S)

    def _handle(self, env: Envelope) -> None:
        m = self._s.metrics
        try:
            outcome = self._pipeline.process(env.payload, self._s.clock())
        except InvalidMessage as exc:
            m.article_invalid(exc.reason)
            dead_letter(self._s, exc, env)
            return
        observe_outcome(m, outcome)
        with m.time_stage(Stage.HAND_OFF):
            hand_off(self._s, outcome)
