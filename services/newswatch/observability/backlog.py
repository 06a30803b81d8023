"""Backlog gauges: Kafka consumer lag, Celery queue depth and their embedded equivalents.

The arithmetic is pure (`partition_lags`, `queue_depths`); the probes do the
I/O and write gauges. Both are sampled rather than collected at scrape time
because custom collectors do not work in prometheus_client's multiprocess
mode, and because a kafka-python consumer is not thread-safe: the worker's
poll loop calls `KafkaLagProbe.maybe_sample()` itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from newswatch.observability.metrics import EmbeddedQueue, Metrics

log = logging.getLogger(__name__)

# kombu's Redis transport keeps one list per priority step: the bare name for
# step 0, then name + "\x06\x16" + step (kombu PRIORITY_STEPS = 0, 3, 6, 9).
PRIORITY_SEP = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


class TopicPartition(NamedTuple):
    """Same shape as kafka-python's TopicPartition (which is a namedtuple)."""

    topic: str
    partition: int


def partition_lags(
    end_offsets: Mapping[Any, int], positions: Mapping[Any, int | None]
) -> dict[TopicPartition, int]:
    """Messages behind the end per partition; partitions without a position are skipped."""
    lags = {}
    for tp, end in end_offsets.items():
        position = positions.get(tp)
        if position is not None:
            lags[TopicPartition(tp.topic, tp.partition)] = max(0, end - position)
    return lags


def priority_keys(queue: str) -> list[str]:
    """Redis list keys that together hold a Celery queue's waiting tasks."""
    return [queue if step == 0 else f"{queue}{PRIORITY_SEP}{step}" for step in PRIORITY_STEPS]


def queue_depths(queues: Iterable[str], lengths: Iterable[int]) -> dict[str, int]:
    """Sum the per-priority list lengths (in `priority_keys` order) per queue."""
    queues, lengths = list(queues), list(lengths)
    width = len(PRIORITY_STEPS)
    return {q: sum(lengths[i * width : (i + 1) * width]) for i, q in enumerate(queues)}


class LagConsumer(Protocol):
    """The kafka-python KafkaConsumer methods the lag probe needs."""

    def assignment(self) -> set[Any]: ...
    def end_offsets(self, partitions: list[Any]) -> dict[Any, int]: ...
    def position(self, partition: Any) -> int | None: ...


class KafkaLagProbe:
    """Samples consumer lag from the consumer's own thread, at most every `interval` s.

    `end_offsets` is one broker round trip; `position` is local. May raise
    kafka errors from `sample`; `maybe_sample` logs and drops them.
    """

    def __init__(
        self,
        consumer: LagConsumer,
        metrics: Metrics,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._consumer, self._metrics, self._interval, self._clock = consumer, metrics, interval, clock
        self._next = 0.0
        self._reported: set[TopicPartition] = set()

    def maybe_sample(self) -> None:
        now = self._clock()
        if now < self._next:
            return
        self._next = now + self._interval
        try:
            self.sample()
        except Exception as exc:  # lag is advisory: never stop the worker for it
            log.warning("consumer lag sample failed: %s", exc)

    def sample(self) -> dict[TopicPartition, int]:
        assigned = list(self._consumer.assignment())
        ends = self._consumer.end_offsets(assigned) if assigned else {}
        lags = partition_lags(ends, {tp: self._consumer.position(tp) for tp in assigned})
        for tp, lag in lags.items():
            self._metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(lag)
        for gone in self._reported - set(lags):  # revoked in a rebalance: stop exporting
            self._metrics.consumer_lag.remove(gone.topic, str(gone.partition))
        self._reported = set(lags)
        return lags


class CeleryQueueProbe:
    """Samples Celery queue depths with one pipelined round of Redis LLENs."""

    def __init__(self, redis: Any, queues: Iterable[str], metrics: Metrics) -> None:
        self._redis, self._queues, self._metrics = redis, tuple(queues), metrics

    def sample(self) -> dict[str, int]:
        pipe = self._redis.pipeline(transaction=False)
        for queue in self._queues:
            for key in priority_keys(queue):
                pipe.llen(key)
        depths = queue_depths(self._queues, pipe.execute())
        for queue, depth in depths.items():
            self._metrics.queue_depth.labels(queue).set(depth)
        return depths


class EmbeddedBacklogProbe:
    """Samples what waits inside an embedded process: unprocessed articles and due deliveries.

    Each counter is a callable returning a count (SQLite reads on the sampler's own connection).
    """

    def __init__(self, counts: Mapping[EmbeddedQueue, Callable[[], int]], metrics: Metrics) -> None:
        self._counts, self._metrics = dict(counts), metrics

    def sample(self) -> dict[EmbeddedQueue, int]:
        depths = {queue: max(0, count()) for queue, count in self._counts.items()}
        for queue, depth in depths.items():
            self._metrics.embedded_backlog.labels(queue.value).set(depth)
        return depths


class PeriodicSampler:
    """Calls `sample()` every `interval` seconds on a daemon thread until `stop()`.

    For thread-safe probes only (the Redis client is; a Kafka consumer is not).
    Failures are logged and the next round tries again.
    """

    def __init__(self, sample: Callable[[], object], interval: float = 5.0) -> None:
        self._sample, self._interval = sample, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="metrics-sampler", daemon=True)

    def start(self) -> PeriodicSampler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            try:
                self._sample()
            except Exception as exc:  # a Redis blip must not kill the sampler
                log.warning("metrics sample failed: %s", exc)
            if self._stop.wait(self._interval):
                return
