"""The distributed worker loop (`newswatch worker`): Kafka in, analyses / dead letters / alerts out.

Per batch: poll -> the pure stages (worker_records.analyse_batch) -> alert planning -> produce the
analyses and dead letters, store the analyses for the API, hand the alerts off -> one flush ->
commit. An offset is committed only after everything its message produced is durable, so a crash
anywhere redelivers the batch (at least once; analyses are keyed by article id and alerts carry
stable ids, so duplicates are harmless).

Whatever the pure stages raise dead-letters the message; so does a planner error that is not I/O.
I/O errors (a broker or store down) retry the failed step with backoff, never skipping a message
and never repeating a step that already succeeded: a retried flush re-sends only the records the
broker did not store. `stop` (set by SIGTERM/SIGINT) ends the loop after the batch in hand is
committed.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import TypeVar

from newswatch.domain.clock import utcnow
from newswatch.observability.metrics import Metrics, Stage
from newswatch.pipeline import Pipeline
from newswatch.runtime.instrumentation import observe_outcome
from newswatch.runtime.io_errors import is_io_error
from newswatch.runtime.worker_config import MAX_RECORDS
from newswatch.runtime.worker_handoff import AlertHandOff
from newswatch.runtime.worker_records import BatchPlan, WorkerTopics, analyse_batch, plan_alerts
from newswatch.store.analyses import AnalysisStore
from newswatch.transport.base import Consumer, Envelope, OutRecord, Position, Producer, SendFailed

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 0.5  # how long a stop request may wait for an idle poll
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 30.0
__all__ = ["MAX_RECORDS", "Stopped", "Worker", "last_positions", "stop_on_signals"]

_T = TypeVar("_T")


class Stopped(Exception):
    """Stop was requested while a failing batch was waiting to be retried."""


@dataclass
class _HandOff:
    """What is left of a batch's hand-off, so that a retry repeats only what did not succeed."""

    unsent: list[OutRecord]
    stored: bool = False  # analyses written to the analysis store
    alerts: bool = False  # alerts handed off
    everything: list[OutRecord] = field(default_factory=list)


class Worker:
    def __init__(
        self,
        consumer: Consumer,
        producer: Producer,
        pipeline: Pipeline,
        hand_off: AlertHandOff,
        topics: WorkerTopics,
        *,
        analyses: AnalysisStore | None = None,
        clock: Callable[[], datetime] = utcnow,
        metrics: Metrics | None = None,
        max_records: int = MAX_RECORDS,
        ticks: Sequence[Callable[[], None]] = (),
        retry_first_s: float = RETRY_FIRST_S,
    ) -> None:
        self._consumer, self._producer, self._pipeline = consumer, producer, pipeline
        self._hand_off, self._topics, self._clock = hand_off, topics, clock
        self._analyses = analyses  # None: analyses are not stored for the API
        # Called after every poll on this thread: things that must share the consumer's or the
        # planner's thread (lag sampling, held alerts falling due).
        self._metrics, self._max_records, self._ticks = metrics, max_records, tuple(ticks)
        self._retry_first_s = retry_first_s
        self.stop = threading.Event()
        self.processed = 0  # messages committed by this worker

    @property
    def consumer(self) -> Consumer:
        return self._consumer

    def run(self) -> None:
        """Loop until `stop` is set; then close the consumer (leaving the group at once)."""
        try:
            while not self.stop.is_set():
                self.step()
                for tick in self._ticks:
                    tick()
        except Stopped:
            log.info("stopped while retrying a batch; it stays uncommitted and will be redelivered")
        finally:
            self._consumer.close()

    def step(self) -> int:
        """One poll and its batch, handled and committed; returns the number of messages."""
        batch = self._consumer.poll(POLL_TIMEOUT_S, self._max_records)
        if batch:
            self._handle(batch)
            self.processed += len(batch)
        return len(batch)

    def _handle(self, batch: list[Envelope]) -> None:
        now = self._clock()
        plan = analyse_batch(self._pipeline, batch, self._topics, now)
        self._retrying(
            batch, "planning", lambda: plan_alerts(self._pipeline, plan, self._topics, now, is_io_error)
        )
        state = _HandOff(list(plan.records), everything=list(plan.records))
        if self._metrics is None:
            self._retrying(batch, "hand-off", lambda: self._deliver(plan, state))
        else:
            with self._metrics.time_stage(Stage.HAND_OFF):
                self._retrying(batch, "hand-off", lambda: self._deliver(plan, state))
        self._retrying(batch, "commit", lambda: self._consumer.commit(last_positions(batch)))
        self._count(len(batch), plan)

    def _deliver(self, plan: BatchPlan, state: _HandOff) -> None:
        """Produce what is unsent, store analyses and hand alerts off once each, then one flush."""
        for i, record in enumerate(state.unsent):
            try:
                self._producer.produce(record.topic, record.payload, record.key)
            except Exception:
                state.unsent = state.unsent[i:]
                raise
        state.unsent = []
        if not state.stored:
            if self._analyses is not None:
                self._analyses.put_many(plan.analyses)
            state.stored = True
        if not state.alerts:
            self._hand_off.hand_off(plan.outcomes)
            state.alerts = True
        try:
            self._producer.flush()
        except SendFailed as exc:
            state.unsent = list(exc.records)  # the rest is stored: sending it again would duplicate it
            raise
        except Exception:
            state.unsent = list(state.everything)  # not known what was stored: at least once
            raise

    def _retrying(self, batch: list[Envelope], what: str, attempt: Callable[[], _T]) -> _T:
        delay = self._retry_first_s
        while True:
            try:
                return attempt()
            except Exception:
                log.exception(
                    "%s of the batch of %d at %s failed; retrying in %.1fs",
                    what,
                    len(batch),
                    batch[0].position,
                    delay,
                )
            if self.stop.wait(delay):
                raise Stopped
            delay = min(delay * 2, RETRY_MAX_S)

    def _count(self, consumed: int, plan: BatchPlan) -> None:
        m = self._metrics
        if m is None:
            return
        m.article_consumed(consumed)
        for reason in plan.invalid:
            m.article_invalid(reason)
            m.dead_lettered(reason)
        for outcome in plan.outcomes:
            observe_outcome(m, outcome)  # events by type/country, alerts by type/kind


def last_positions(batch: list[Envelope]) -> list[Position]:
    """The last position per partition (messages arrive in order within a partition)."""
    last: dict[tuple[str, int], Position] = {}
    for env in batch:
        last[env.position.topic, env.position.partition] = env.position
    return list(last.values())


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop` (main thread only): the loop drains instead of dying."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("%s: finishing the batch in hand, then stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
