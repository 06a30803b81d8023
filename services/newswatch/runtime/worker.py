"""The distributed worker loop (`newswatch worker`): Kafka in, analyses / dead letters / alerts out.

Per batch: poll -> run the pure pipeline (worker_records.plan_batch) -> produce analyses and dead
letters -> hand alerts off (plan the batch's stories and alerts, commit them, enqueue) -> flush ->
commit. An offset is committed only after everything its message produced is durable, so a crash
anywhere redelivers the batch (at least once; analyses are keyed by article id and alerts carry
stable ids, so duplicates are harmless).

Unexpected errors (a broker or store down, a bug) retry the same batch with backoff; a message is
never skipped. `stop` (set by SIGTERM/SIGINT) ends the loop after the batch in hand is committed.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from newswatch.domain.clock import utcnow
from newswatch.metrics import Metrics, Stage
from newswatch.pipeline import Pipeline
from newswatch.runtime.instrumentation import observe_outcome
from newswatch.runtime.worker_handoff import AlertHandOff
from newswatch.runtime.worker_records import BatchPlan, WorkerTopics, plan_batch
from newswatch.transport.base import Consumer, Envelope, Position, Producer

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 0.5  # how long a stop request may wait for an idle poll
MAX_RECORDS = 100  # = transport.kafka.MAX_POLL_RECORDS: a batch stays far inside max.poll.interval.ms
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 30.0


class Stopped(Exception):
    """Stop was requested while a failing batch was waiting to be retried."""


class Worker:
    def __init__(
        self,
        consumer: Consumer,
        producer: Producer,
        pipeline: Pipeline,
        hand_off: AlertHandOff,
        topics: WorkerTopics,
        *,
        clock: Callable[[], datetime] = utcnow,
        metrics: Metrics | None = None,
        max_records: int = MAX_RECORDS,
        ticks: Sequence[Callable[[], None]] = (),
    ) -> None:
        self._consumer, self._producer, self._pipeline = consumer, producer, pipeline
        self._hand_off, self._topics, self._clock = hand_off, topics, clock
        # Called after every poll on this thread: things that must share the consumer's or the
        # planner's thread (lag sampling, held alerts falling due).
        self._metrics, self._max_records, self._ticks = metrics, max_records, tuple(ticks)
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
            self._retrying(batch)
            self.processed += len(batch)
        return len(batch)

    def _retrying(self, batch: list[Envelope]) -> None:
        delay = RETRY_FIRST_S
        while True:
            try:
                return self._handle(batch)
            except Exception:
                log.exception(
                    "batch of %d at %s failed; retrying in %.1fs", len(batch), batch[0].position, delay
                )
            if self.stop.wait(delay):
                raise Stopped
            delay = min(delay * 2, RETRY_MAX_S)

    def _handle(self, batch: list[Envelope]) -> None:
        plan = plan_batch(self._pipeline, batch, self._topics, self._clock())
        for record in plan.records:
            self._producer.produce(record.topic, record.payload, record.key)
        self._hand_off_and_flush(plan)
        self._consumer.commit(last_positions(batch))
        self._count(len(batch), plan)

    def _hand_off_and_flush(self, plan: BatchPlan) -> None:
        if self._metrics is None:
            plan.outcomes = list(self._hand_off.hand_off(plan.outcomes))
            self._producer.flush()
            return
        with self._metrics.time_stage(Stage.HAND_OFF):
            plan.outcomes = list(self._hand_off.hand_off(plan.outcomes))  # with the alerts planned
            self._producer.flush()

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

    def handler(signum: int, _frame: object) -> None:
        log.info("%s: finishing the batch in hand, then stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
