"""Shared parts of the Kafka benchmarks: fresh topics, an in-process worker, hand-off timing.

The worker is the real one (runtime/worker.py) with the real Kafka consumer and producer; only its
hand-off and producer are wrapped to stamp when each article's outputs became durable.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Sequence

from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import Outcome
from newswatch.pipeline import NoAlerts, Pipeline
from newswatch.runtime.worker import Worker
from newswatch.runtime.worker_handoff import AlertHandOff, TopicAlertHandOff
from newswatch.runtime.worker_records import WorkerTopics
from newswatch.transport.kafka import KafkaQueueConsumer, KafkaQueueProducer

with warnings.catch_warnings():  # kafka-python 3.0 import-time DeprecationWarning (see tests/conftest.py)
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka.admin import KafkaAdminClient, NewTopic


def bootstrap() -> str:
    return (
        os.environ.get("NEWSWATCH_KAFKA_BOOTSTRAP")
        or f"127.0.0.1:{os.environ.get('NEWSWATCH_KAFKA_PORT', '9092')}"
    )


def fresh_topics(server: str, name: str, partitions: int = 4) -> WorkerTopics:
    """New topics named bench.<name>.<random>.{articles,dlq,analyses,alerts}."""
    base = f"bench.{name}.{uuid.uuid4().hex[:8]}"
    topics = WorkerTopics(f"{base}.articles", f"{base}.dlq", f"{base}.analyses", f"{base}.alerts")
    admin = KafkaAdminClient(bootstrap_servers=server)
    admin.create_topics([NewTopic(t, partitions, 1) for t in (topics.articles, topics.analyses)])
    admin.close()
    return topics


def delete_topics(server: str, topics: WorkerTopics) -> None:
    """Delete those of the run's topics that exist (dlq and alerts are only created when used)."""
    admin = KafkaAdminClient(bootstrap_servers=server)
    try:
        existing = set(admin.list_topics())
        mine = [t for t in (topics.articles, topics.dlq, topics.analyses, topics.alerts) if t in existing]
        if mine:
            admin.delete_topics(mine)
    finally:
        admin.close()


class EmptyAnalyzer:
    def analyze(self, article: Article) -> Analysis:
        return Analysis(article_id=article.id, topics=(), regions=(), events=())


def load_pipeline(kind: str) -> tuple[Pipeline, str]:
    """("real": Analyzer.load() as it is in the tree now | "empty": transport cost only)."""
    if kind == "empty":
        return Pipeline(EmptyAnalyzer(), NoAlerts()), "empty analyzer (transport and worker cost only)"  # type: ignore[arg-type]
    from newswatch.analysis.engine import Analyzer

    start = time.perf_counter()
    analyzer = Analyzer.load()
    return Pipeline(
        analyzer, NoAlerts()
    ), f"Analyzer.load() of the current tree ({time.perf_counter() - start:.1f} s to load), no alert planner"


class HandOffClock:
    """Stamps each article when the flush after its hand-off returned (= outputs durable).

    Sits between the worker and its producer, and wraps the alert hand-off, which produces
    through this object too.
    """

    def __init__(self, producer: KafkaQueueProducer, topics: WorkerTopics) -> None:
        self._producer = producer
        self._inner: AlertHandOff = TopicAlertHandOff(self, topics)
        self._pending: list[Article] = []
        self.done: list[tuple[Article, int]] = []  # (article, time.time_ns() when durable)

    def hand_off(self, outcomes: Sequence[Outcome]) -> None:
        self._pending.extend(o.article for o in outcomes)
        self._inner.hand_off(outcomes)

    def produce(self, topic: str, payload: bytes, key: bytes | None = None) -> None:
        self._producer.produce(topic, payload, key)

    def flush(self, timeout_s: float | None = None) -> None:
        self._producer.flush(timeout_s)
        now = time.time_ns()
        self.done.extend((a, now) for a in self._pending)
        self._pending.clear()

    def close(self) -> None:
        self._producer.close()


def in_process_worker(server: str, topics: WorkerTopics, pipeline: Pipeline) -> tuple[Worker, HandOffClock]:
    """The worker, already a member of its group with partitions assigned (joining is not timed)."""
    consumer = KafkaQueueConsumer(server, f"bench-{uuid.uuid4().hex[:8]}", [topics.articles])
    clock = HandOffClock(KafkaQueueProducer(server, client_id="bench-worker"), topics)
    worker = Worker(consumer, clock, pipeline, clock, topics)
    deadline = time.monotonic() + 30
    while not consumer.raw.assignment() and time.monotonic() < deadline:
        worker.step()
    return worker, clock


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]
