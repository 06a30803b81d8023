"""The composition root: every long-lived object, built from `Settings` in one place.

    embedded     SQLite file (stores + log queue), in-process delivery pool
    distributed  Redis (stores, Celery broker), Kafka (queue), Celery (delivery)

Commands call `build(settings)` once and hand the resulting `Services` to the
API (`create_app`) and the runtimes. Components receive plain values and
objects; none of them reads the environment or picks its own backend.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from prometheus_client import CollectorRegistry

from newswatch.alerts.ports import AlertStore, StoryStore, SubscriptionStore
from newswatch.analysis.engine import Analyzer
from newswatch.config import Backend, Settings
from newswatch.delivery.log import DeliveryLog
from newswatch.domain.clock import utcnow
from newswatch.domain.outcome import AlertDraft
from newswatch.observability.metrics import EmbeddedQueue, Metrics
from newswatch.observability.readiness import Check, tcp_reachable
from newswatch.pipeline import AlertPlanner, NoAlerts, Pipeline
from newswatch.store.analyses import AnalysisStore, RedisAnalyses, SQLiteAnalyses
from newswatch.store.api_keys import ApiKeyStore, RedisApiKeys, SQLiteApiKeys
from newswatch.store.dead_letters import DeadLetterStore, RedisDeadLetters, SQLiteDeadLetters
from newswatch.store.redis import Keys, client_from_url
from newswatch.store.sqlite import SQLiteDB
from newswatch.transport.base import Consumer, Producer


class Dispatcher(Protocol):
    """Delivery's entry point (newswatch.delivery): durable once `enqueue` returns."""

    def enqueue(self, alert_id: str) -> None: ...

    def close(self) -> None: ...


PIPELINE_GROUP = "newswatch-pipeline"  # consumer group of the article processors


@dataclass
class Services:
    """What the API routers and the runtimes share. Routers read it from `app.state.services`.

    Hold `ingest_lock` around a batch of `producer.produce` calls and its
    `flush`: producers buffer, and one request's flush must not carry (or
    fail) another's half-built batch. The alerts and delivery parts are None when the
    process runs analysis only.
    """

    settings: Settings
    producer: Producer  # to the ingest queue (topic settings.articles_topic)
    ingest_lock: threading.Lock
    dead_letters: DeadLetterStore
    analyses: AnalysisStore
    api_keys: ApiKeyStore
    metrics: Metrics
    clock: Callable[[], datetime] = utcnow
    planner: AlertPlanner = field(default_factory=NoAlerts)
    subscriptions: SubscriptionStore | None = None
    alerts: AlertStore | None = None
    stories: StoryStore | None = None
    deliveries: DeliveryLog | None = None  # the attempt log (GET /v1/deliveries)
    dispatcher: Dispatcher | None = None  # enqueue(alert_id): in-process pool or Celery
    alert_sink: Callable[[AlertDraft], None] = field(default=lambda draft: _no_delivery(draft))
    # Drafts held by group_wait/repeat_interval that are due now: runtimes call it about every second
    # from the thread that runs the pipeline, and pass what it returns to `alert_sink`.
    flush_held: Callable[[datetime], tuple[AlertDraft, ...]] = field(default=lambda now: ())
    make_consumer: Callable[[], Consumer] | None = None  # the pipeline's consumer of the ingest queue
    # Deletes ingest-queue messages every consumer group has committed; returns how many (embedded).
    prune_queue: Callable[[], int] = field(default=lambda: 0)
    # Sets the embedded backlog gauges now (also sampled every few seconds); a no-op when distributed.
    sample_backlog: Callable[[], object] = field(default=lambda: None)
    # Dependency name -> a call that raises when it does not answer (GET /readyz).
    readiness: dict[str, Check] = field(default_factory=dict)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Release connections and threads, newest first."""
        while self.closers:
            self.closers.pop()()


def _no_delivery(draft: AlertDraft) -> None:
    raise RuntimeError(f"alert {draft.id} planned but no alert store/delivery is wired")


def pipeline(services: Services) -> Pipeline:
    """The pure core with its tables loaded (slow: call once per process)."""
    return Pipeline(Analyzer.load(), services.planner, timer=services.metrics.time_stage)


def build(settings: Settings, registry: CollectorRegistry | None = None) -> Services:
    """Everything for one process. `registry` defaults to a fresh one (tests pass their own)."""
    metrics = Metrics(registry if registry is not None else CollectorRegistry())
    if settings.backend is Backend.EMBEDDED:
        return _embedded(settings, metrics)
    return _distributed(settings, metrics)


def _embedded(settings: Settings, metrics: Metrics) -> Services:
    from newswatch.delivery.runners.wiring import embedded_delivery
    from newswatch.observability.backlog import EmbeddedBacklogProbe, PeriodicSampler
    from newswatch.store.alerts_sqlite import SQLiteAlerts, SQLiteSubscriptions
    from newswatch.store.alerts_sqlite_stories import SQLiteStories
    from newswatch.store.delivery_due_sqlite import SQLiteDueDeliveries
    from newswatch.transport.embedded import EmbeddedLog

    db = SQLiteDB(settings.sqlite_path)
    log = EmbeddedLog(settings.sqlite_path)  # one per process: it wakes in-process consumers on append
    subscriptions, alerts = SQLiteSubscriptions(db), SQLiteAlerts(db)
    dispatcher, deliveries = embedded_delivery(db, subscriptions, alerts, settings.delivery, metrics)
    services = Services(
        settings=settings,
        producer=log.producer(),
        ingest_lock=threading.Lock(),
        dead_letters=SQLiteDeadLetters(db),
        analyses=SQLiteAnalyses(db),
        api_keys=SQLiteApiKeys(db),
        metrics=metrics,
        make_consumer=lambda: log.consumer(PIPELINE_GROUP, [settings.articles_topic]),
        prune_queue=lambda: log.prune(settings.articles_topic),
    )
    _with_alerts(services, subscriptions, alerts, SQLiteStories(db), dispatcher, deliveries)
    due = SQLiteDueDeliveries(db)
    backlog = EmbeddedBacklogProbe(
        {
            EmbeddedQueue.ARTICLES: lambda: log.backlog(PIPELINE_GROUP, settings.articles_topic),
            EmbeddedQueue.DELIVERIES: due.pending,
        },
        metrics,
    )
    services.sample_backlog = backlog.sample
    services.readiness = {
        "store": lambda: db.conn().execute("SELECT 1").fetchone(),
        "queue": lambda: log.connection().execute("SELECT 1").fetchone(),
    }
    sampler = PeriodicSampler(backlog.sample).start()
    services.closers += [db.close, services.producer.close, dispatcher.close, sampler.stop]
    return services


def _distributed(settings: Settings, metrics: Metrics) -> Services:
    from newswatch.delivery.runners.wiring import celery_dispatcher
    from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
    from newswatch.store.alerts_redis_stories import RedisStories
    from newswatch.store.delivery_log_redis import RedisDeliveryLog
    from newswatch.transport.kafka import KafkaQueueProducer

    client = client_from_url(settings.redis_url)
    keys = Keys(settings.redis_prefix)
    w = settings.worker
    # Every user of this producer flushes after its batch (ingest per request, the worker per
    # poll), so the linger only holds back half-built batches while a batch is being produced.
    # A send waits for broker metadata at most the ingest timeout, so a broker outage answers 503 in
    # bounded time instead of blocking every POST (kafka-python's default is 60 s).
    producer = KafkaQueueProducer(
        settings.kafka_bootstrap,
        linger_ms=w.linger_ms,
        batch_size=w.batch_bytes,
        compression=w.compression,
        max_block_ms=int(settings.ingest_timeout_s * 1000),
    )
    services = Services(
        settings=settings,
        producer=producer,
        ingest_lock=threading.Lock(),
        dead_letters=RedisDeadLetters(client, keys),
        analyses=RedisAnalyses(client, keys, ttl_s=w.analyses_ttl_s),
        api_keys=RedisApiKeys(client, keys),
        metrics=metrics,
    )
    dispatcher = celery_dispatcher(settings.component_env())
    _with_alerts(
        services,
        RedisSubscriptions(client, keys),
        RedisAlerts(client, keys),
        RedisStories(client, keys),
        dispatcher,
        RedisDeliveryLog(client, keys),
    )
    services.readiness = {
        "store": client.ping,  # also Celery's broker: the delivery queue
        "queue": tcp_reachable(settings.kafka_bootstrap),
    }
    services.closers += [client.close, services.producer.close, dispatcher.close]
    return services


def _with_alerts(
    services: Services,
    subscriptions: SubscriptionStore,
    alerts: AlertStore,
    stories: StoryStore,
    dispatcher: Dispatcher,
    deliveries: DeliveryLog,
) -> None:
    """Subscriptions, stories and alerts (issue 4) on the services, planner and hand-off included."""
    from newswatch.alerts.declared import apply_file
    from newswatch.alerts.handoff import hand_off
    from newswatch.alerts.planner import StoryPlanner
    from newswatch.runtime.instrumentation import counting_flush

    if services.settings.alerts.subscriptions_file is not None:
        # Declared subscriptions are upserted at every start; a bad file stops start-up (InvalidMessage).
        apply_file(subscriptions, services.settings.alerts.subscriptions_file)
    # Not thread-safe: used by the pipeline thread only.
    planner = StoryPlanner(subscriptions, stories, services.settings.alerts.planner())

    def alert_sink(draft: AlertDraft) -> None:
        """Store the alert, then enqueue its delivery; durable once this returns."""
        for alert_id in hand_off([draft], planner.tenant_of, alerts, services.clock()):
            dispatcher.enqueue(alert_id)

    # Held alerts are counted when they fall due, as the pipeline counts those it sends at once.
    services.planner, services.flush_held = planner, counting_flush(planner.flush, services.metrics)
    services.subscriptions, services.alerts, services.stories = subscriptions, alerts, stories
    services.dispatcher, services.deliveries, services.alert_sink = dispatcher, deliveries, alert_sink
