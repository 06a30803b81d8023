"""Shared parts of the Kafka benchmarks: fresh topics, an in-process worker, hand-off timing.

The worker is the real one (runtime/worker.py) on the real Kafka consumer and producer. Its
producer is wrapped to stamp when each article's outputs became durable: the flush after the
article's analysis was produced and its alerts were handed off returned.

Modes (`--mode`):
  full      what `newswatch worker` runs (compose + commands.worker.build): analysis, the alert
            planner on Redis with BENCH_SUBSCRIPTIONS, alerts stored and enqueued to Celery
  analysis  Analyzer.load() without alert planning (alerts would go to the `alerts` topic)
  empty     an analyzer returning nothing: the cost of Kafka, decoding, validation and the loop
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

from newswatch.domain.model import Analysis, Article
from newswatch.pipeline import NoAlerts, Pipeline
from newswatch.runtime.worker import Worker
from newswatch.runtime.worker_handoff import TopicAlertHandOff
from newswatch.runtime.worker_records import WorkerTopics
from newswatch.transport.base import Producer
from newswatch.transport.kafka import KafkaQueueConsumer, KafkaQueueProducer

with warnings.catch_warnings():  # kafka-python 3.0 import-time DeprecationWarning (see tests/conftest.py)
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka.admin import KafkaAdminClient, NewTopic

MODES = ("full", "analysis", "empty")
# (id, regions, event types): a few standing queries so matching and alerting do real work.
BENCH_SUBSCRIPTIONS = (
    ("sub_ua", ("UA",), ()),
    ("sub_pl_strikes", ("PL",), ("strike", "protest")),
    ("sub_blackouts", (), ("blackout", "power_plant_strike")),
    ("sub_fr", ("FR",), ()),
    ("sub_cyber", (), ("cyberattack",)),
    ("sub_jp", ("JP",), ()),
)


def bootstrap() -> str:
    port = os.environ.get("NEWSWATCH_KAFKA_PORT", "9092")
    return os.environ.get("NEWSWATCH_KAFKA_BOOTSTRAP") or f"127.0.0.1:{port}"


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
    def analyze(self, article: Article, timer: object = None) -> Analysis:
        return Analysis(article_id=article.id, topics=(), regions=(), events=())


@dataclass
class StampingProducer:
    """Remembers the article ids of analyses produced; stamps them all when a flush returns."""

    inner: Producer
    analyses_topic: str
    pending: list[str] = field(default_factory=list)
    done: list[tuple[str, int]] = field(default_factory=list)  # (article id, time.time_ns())

    def produce(self, topic: str, payload: bytes, key: bytes | None = None) -> None:
        self.inner.produce(topic, payload, key)
        if topic == self.analyses_topic and key is not None:
            self.pending.append(key.decode())

    def flush(self, timeout_s: float | None = None) -> None:
        self.inner.flush(timeout_s)
        now = time.time_ns()
        self.done.extend((article_id, now) for article_id in self.pending)
        self.pending.clear()

    def close(self) -> None:
        self.inner.close()


@dataclass
class BenchWorker:
    worker: Worker
    stamps: StampingProducer
    what: str
    close: Callable[[], None]

    def run_until(self, count: int, timeout_s: float) -> None:
        """Step until `count` articles were handed off (or the timeout), then stop and close."""
        deadline = time.monotonic() + timeout_s
        while len(self.stamps.done) < count and time.monotonic() < deadline:
            self.worker.step()
        self.worker.stop.set()
        self.worker.run()  # returns at once: closes the consumer
        self.close()


def in_process_worker(server: str, topics: WorkerTopics, mode: str) -> BenchWorker:
    """The worker, already a member of its group with partitions assigned (joining is not timed)."""
    bench = _full_worker(server, topics) if mode == "full" else _bare_worker(server, topics, mode)
    deadline = time.monotonic() + 60
    consumer = bench.worker.consumer
    assert isinstance(consumer, KafkaQueueConsumer)
    while not consumer.raw.assignment() and time.monotonic() < deadline:
        bench.worker.step()
    return bench


def _bare_worker(server: str, topics: WorkerTopics, mode: str) -> BenchWorker:
    start = time.perf_counter()
    if mode == "empty":
        analyzer, what = EmptyAnalyzer(), "empty analyzer: Kafka, decode, validation and the loop only"
    else:
        from newswatch.analysis.engine import Analyzer

        analyzer = Analyzer.load()  # type: ignore[assignment]
        what = f"Analyzer.load() of the current tree ({time.perf_counter() - start:.1f} s), no alert planner"
    stamps = StampingProducer(KafkaQueueProducer(server, client_id="bench-worker"), topics.analyses)
    consumer = KafkaQueueConsumer(server, f"bench-{uuid.uuid4().hex[:8]}", [topics.articles])
    pipeline = Pipeline(analyzer, NoAlerts())  # type: ignore[arg-type]
    worker = Worker(consumer, stamps, pipeline, TopicAlertHandOff(stamps, topics), topics)
    return BenchWorker(worker, stamps, what, stamps.close)


def _full_worker(server: str, topics: WorkerTopics) -> BenchWorker:
    """Exactly what `newswatch worker` builds, on a Redis key prefix of its own."""
    from newswatch import compose
    from newswatch.commands.worker import build
    from newswatch.config import Backend, Settings
    from newswatch.runtime.worker_config import WorkerConfig

    prefix = f"newswatch-bench:{uuid.uuid4().hex[:8]}:"
    os.environ["NEWSWATCH_REDIS_PREFIX"] = prefix  # the Celery client reads it from the environment
    settings = Settings.from_env(os.environ).with_overrides(
        backend=Backend.DISTRIBUTED,
        kafka_bootstrap=server,
        articles_topic=topics.articles,
        dlq_topic=topics.dlq,
    )
    services = compose.build(settings)
    _subscribe(services)
    stamps = StampingProducer(services.producer, topics.analyses)
    services.producer = stamps
    config = WorkerConfig(group=f"bench-{uuid.uuid4().hex[:8]}", analyses_topic=topics.analyses)
    worker = build(services, config)
    what = f"full `newswatch worker` pipeline: analysis, Redis alert planner with {len(BENCH_SUBSCRIPTIONS)}"
    what += " subscriptions, alerts stored and enqueued to Celery"
    return BenchWorker(worker, stamps, what, lambda: _close_full(services, settings.redis_url, prefix))


def _subscribe(services: object) -> None:
    from newswatch.alerts.ports import Filters, Subscription, Webhook

    subs = services.subscriptions  # type: ignore[attr-defined]
    for sub_id, regions, events in BENCH_SUBSCRIPTIONS:
        filters = Filters(event_types=events, regions=regions)
        hook = Webhook(f"https://hooks.example/{sub_id}")
        subs.create(Subscription(sub_id, "bench", sub_id, filters, hook, "whsec_YmVuY2hzZWNyZXQ="))


def _close_full(services: object, redis_url: str, prefix: str) -> None:
    from newswatch.store.redis import client_from_url

    services.close()  # type: ignore[attr-defined]
    client = client_from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]
