"""The workers the Kafka benchmarks time, one per process (see kafka_harness for the modes)."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Any

import orjson
from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.structs import OffsetAndMetadata

from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft
from newswatch.pipeline import NoAlerts, Pipeline
from newswatch.runtime.worker import Worker
from newswatch.runtime.worker_handoff import SinkAlertHandOff
from newswatch.runtime.worker_records import WorkerTopics
from newswatch.transport.base import Envelope, Position
from newswatch.transport.kafka import KafkaQueueConsumer, KafkaQueueProducer, commit_offsets


class EmptyAnalyzer:
    def analyze(self, article: Article, timer: object = None) -> Analysis:
        return Analysis(article_id=article.id, topics=(), regions=(), events=())


class PauseUntilReleased(ConsumerRebalanceListener):
    """Pauses each partition as it is assigned until `released`: members join without consuming."""

    def __init__(self, consumer: KafkaConsumer) -> None:
        self.consumer, self.released = consumer, False

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        if not self.released and assigned:
            self.consumer.pause(*assigned)


class StampingConsumer:
    """The worker's consumer; stamps the ids (keys) of a batch when its commit returns."""

    def __init__(self, inner: KafkaQueueConsumer) -> None:
        self.inner = inner
        self.batch: list[str] = []
        self.stamps: list[tuple[str, int]] = []

    def poll(self, timeout_s: float, max_records: int) -> list[Envelope]:
        got = self.inner.poll(timeout_s, max_records)
        self.batch += [e.key.decode() for e in got if e.key is not None]
        return got

    def commit(self, positions: list[Position]) -> None:
        self.inner.commit(positions)
        now = time.time_ns()
        self.stamps += [(article_id, now) for article_id in self.batch]
        self.batch = []

    def close(self) -> None:
        self.inner.close()


class BenchWorker:
    """A newswatch Worker (empty, analysis or full) with its stamping consumer."""

    def __init__(self, worker: Worker, consumer: StampingConsumer, what: str, close: Any) -> None:
        self.worker, self.consumer, self.what, self._close = worker, consumer, what, close
        self.raw_consumer = consumer.inner.raw

    @property
    def stamps(self) -> list[tuple[str, int]]:
        return self.consumer.stamps

    def step(self) -> int:
        return self.worker.step()

    def close(self) -> None:
        self.worker.stop.set()
        self.worker.run()  # returns at once: closes the consumer
        self._close()


class NullWorker:
    """kafka-python alone: consume, json.loads, produce a small result, flush and commit per poll."""

    what = "null kafka-python worker: consume, decode, produce a small result, flush, commit per poll"

    def __init__(self, server: str, topics: WorkerTopics, group: str) -> None:
        self.raw_consumer = KafkaConsumer(
            bootstrap_servers=server,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=100,
        )
        self.raw_consumer.subscribe([topics.articles], listener=_pauser(self.raw_consumer))
        self.producer = KafkaProducer(
            bootstrap_servers=server, acks="all", enable_idempotence=True, linger_ms=100, batch_size=262_144
        )
        self.out = str(topics.analyses)
        self.stamps: list[tuple[str, int]] = []

    def step(self) -> int:
        records = [r for rs in self.raw_consumer.poll(timeout_ms=500).values() for r in rs]
        for r in records:
            doc = orjson.loads(r.value)
            self.producer.send(self.out, orjson.dumps({"id": doc["id"], "ok": True}), key=r.key)
        if not records:
            return 0
        self.producer.flush()
        positions = [Position(r.topic, r.partition, r.offset) for r in records]
        self.raw_consumer.commit(
            {tp: OffsetAndMetadata(o, "", -1) for tp, o in commit_offsets(positions).items()}
        )
        now = time.time_ns()
        self.stamps += [(r.key.decode(), now) for r in records]
        return len(records)

    def close(self) -> None:
        self.raw_consumer.close(autocommit=False)
        self.producer.close()


def _pauser(consumer: KafkaConsumer) -> PauseUntilReleased:
    listener = PauseUntilReleased(consumer)
    _listeners.append(listener)
    return listener


_listeners: list[PauseUntilReleased] = []


def release() -> None:
    """Partitions assigned from now on are consumed (the caller resumes those already paused)."""
    for listener in _listeners:
        listener.released = True


def build_worker(server: str, topics: WorkerTopics, mode: str, group: str, prefix: str) -> Any:
    if mode == "null":
        return NullWorker(server, topics, group)
    if mode == "full":
        return _full(server, topics, group, prefix)
    return _bare(server, topics, mode, group)


def _consumer(server: str, topics: WorkerTopics, group: str) -> StampingConsumer:
    inner = KafkaQueueConsumer(server, group, [topics.articles])
    inner.raw.subscribe([topics.articles], listener=_pauser(inner.raw))
    return StampingConsumer(inner)


def _no_sink(draft: AlertDraft) -> None:
    raise AssertionError("NoAlerts planned an alert")


def _bare(server: str, topics: WorkerTopics, mode: str, group: str) -> BenchWorker:
    from newswatch.config import Settings

    w = Settings.from_env(os.environ).worker
    start = time.perf_counter()
    if mode == "empty":
        analyzer: Any = EmptyAnalyzer()
        what = "empty analyzer: Kafka, decode, validation and the loop only"
    else:
        from newswatch.analysis.engine import Analyzer

        analyzer = Analyzer.load()
        what = f"Analyzer.load() ({time.perf_counter() - start:.1f} s), no alert planner"
    producer = KafkaQueueProducer(
        server,
        client_id="bench-worker",
        linger_ms=w.linger_ms,
        batch_size=w.batch_bytes,
        compression=w.compression,
    )
    if not w.produce_analyses:  # NEWSWATCH_WORKER_PRODUCE_ANALYSES=0, as `newswatch worker` reads it
        topics = replace(topics, analyses=None)
    consumer = _consumer(server, topics, group)
    # NoAlerts plans none, so the hand-off never runs.
    worker = Worker(consumer, producer, Pipeline(analyzer, NoAlerts()), SinkAlertHandOff(_no_sink), topics)
    return BenchWorker(worker, consumer, what, producer.close)


def _full(server: str, topics: WorkerTopics, group: str, prefix: str) -> BenchWorker:
    """Exactly what `newswatch worker` builds, on a Redis key prefix of the run."""
    from bench.kafka_harness import BENCH_SUBSCRIPTIONS, redis_url
    from newswatch import compose
    from newswatch.commands.worker import build
    from newswatch.config import Backend, Settings

    os.environ["NEWSWATCH_REDIS_PREFIX"] = prefix  # the Celery client reads it from the environment
    os.environ.setdefault("NEWSWATCH_REDIS_URL", redis_url())
    settings = Settings.from_env(os.environ).with_overrides(
        backend=Backend.DISTRIBUTED,
        kafka_bootstrap=server,
        articles_topic=topics.articles,
        dlq_topic=topics.dlq,
    )
    config = replace(settings.worker, group=group, analyses_topic=str(topics.analyses))
    services = compose.build(replace(settings, worker=config))
    consumer = _consumer(server, topics, group)
    worker = build(services, config, consumer=consumer)
    what = f"full `newswatch worker`: analysis, Redis alert planner with {len(BENCH_SUBSCRIPTIONS)}"
    what += " subscriptions, alerts stored and enqueued to Celery, analyses to Kafka"
    what += f" and Redis (TTL {config.analyses_ttl_s} s)" if config.analyses_ttl_s else ""
    return BenchWorker(worker, consumer, what, services.close)
