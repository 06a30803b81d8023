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
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry

from newswatch.alerts.ports import AlertStatus, AlertStore, StoryStore, SubscriptionStore
from newswatch.analysis.engine import Analyzer
from newswatch.config import Backend, Settings
from newswatch.delivery.dispatch import DeliveryDispatcher
from newswatch.delivery.log import DeliveryLog
from newswatch.domain.clock import utcnow
from newswatch.domain.outcome import AlertDraft
from newswatch.observability.metrics import EmbeddedQueue, Metrics
from newswatch.observability.readiness import Check, tcp_reachable
from newswatch.pipeline import AlertPlanner, Pipeline
from newswatch.store.analyses import AnalysisStore, RedisAnalyses, SQLiteAnalyses
from newswatch.store.api_keys import ApiKeyStore, RedisApiKeys, SQLiteApiKeys
from newswatch.store.dead_letters import DeadLetterStore, RedisDeadLetters, SQLiteDeadLetters
from newswatch.store.redis import Keys, client_from_url
from newswatch.store.sqlite import SQLiteDB
from newswatch.transport.base import Consumer, Producer

PIPELINE_GROUP = "newswatch-pipeline"  # consumer group of the article processors
# An alert in the outbox this long is taken to be orphaned by a process that died between storing
# and enqueueing it; a live one takes milliseconds. Enqueueing twice is harmless (same webhook-id).
OUTBOX_GRACE = timedelta(seconds=30)


@dataclass(frozen=True)
class Services:
    """What the API routers and the runtimes share; both backends fill every field.

    Routers receive it through `newswatch.api.deps` (`app.state.services`). Hold
    `ingest_lock` around a batch of `producer.produce` calls and its `flush`:
    producers buffer, and one request's flush must not carry (or fail) another's
    half-built batch.
    """

    settings: Settings
    producer: Producer  # to the ingest queue (topic settings.articles_topic)
    ingest_lock: threading.Lock
    dead_letters: DeadLetterStore
    analyses: AnalysisStore
    api_keys: ApiKeyStore
    metrics: Metrics
    planner: AlertPlanner
    subscriptions: SubscriptionStore
    alerts: AlertStore
    stories: StoryStore
    deliveries: DeliveryLog  # the attempt log (GET /v1/deliveries)
    dispatcher: DeliveryDispatcher  # enqueue(alert_id): in-process pool or Celery
    alert_sink: Callable[[AlertDraft], None]  # store the alert, then enqueue its delivery
    # Drafts held by group_wait/repeat_interval that are due now: runtimes call it about every second
    # from the thread that runs the pipeline, and pass what it returns to `alert_sink`. It also
    # enqueues alerts stored earlier whose hand-off never finished (a process died in between).
    flush_held: Callable[[datetime], tuple[AlertDraft, ...]]
    make_consumer: Callable[[], Consumer]  # a consumer of the ingest queue (the pipeline's group)
    # Deletes ingest-queue messages every consumer group has committed; returns how many (embedded).
    prune_queue: Callable[[], int]
    # Sets the embedded backlog gauges now (also sampled every few seconds); a no-op when distributed.
    sample_backlog: Callable[[], object]
    # Dependency name -> a call that raises when it does not answer (GET /readyz).
    readiness: dict[str, Check]
    closers: list[Callable[[], None]]
    clock: Callable[[], datetime] = utcnow

    def close(self) -> None:
        """Release connections and threads, newest first."""
        while self.closers:
            self.closers.pop()()


@dataclass(frozen=True)
class Alerting:
    """The alerts half of `Services`, built over a backend's stores and dispatcher (`alerting`)."""

    planner: AlertPlanner
    subscriptions: SubscriptionStore
    alerts: AlertStore
    stories: StoryStore
    deliveries: DeliveryLog
    dispatcher: DeliveryDispatcher
    alert_sink: Callable[[AlertDraft], None]
    flush_held: Callable[[datetime], tuple[AlertDraft, ...]]


@dataclass(frozen=True)
class _Core:
    """The backend-specific rest of `Services`: queue, stores, probes and what to close."""

    settings: Settings
    producer: Producer
    dead_letters: DeadLetterStore
    analyses: AnalysisStore
    api_keys: ApiKeyStore
    make_consumer: Callable[[], Consumer]
    prune_queue: Callable[[], int]
    sample_backlog: Callable[[], object]
    readiness: dict[str, Check]
    closers: list[Callable[[], None]]


def _assemble(
    core: _Core, wired: Alerting, metrics: Metrics, clock: Callable[[], datetime] = utcnow
) -> Services:
    return Services(
        settings=core.settings,
        producer=core.producer,
        ingest_lock=threading.Lock(),
        dead_letters=core.dead_letters,
        analyses=core.analyses,
        api_keys=core.api_keys,
        metrics=metrics,
        planner=wired.planner,
        subscriptions=wired.subscriptions,
        alerts=wired.alerts,
        stories=wired.stories,
        deliveries=wired.deliveries,
        dispatcher=wired.dispatcher,
        alert_sink=wired.alert_sink,
        flush_held=wired.flush_held,
        make_consumer=core.make_consumer,
        prune_queue=core.prune_queue,
        sample_backlog=core.sample_backlog,
        readiness=core.readiness,
        closers=core.closers,
        clock=clock,
    )


def pipeline(services: Services) -> Pipeline:
    """The pure core with its tables loaded (slow: call once per process)."""
    return Pipeline(Analyzer.load(), services.planner, timer=services.metrics.time_stage)


def build(
    settings: Settings, registry: CollectorRegistry | None = None, clock: Callable[[], datetime] = utcnow
) -> Services:
    """Everything for one process. `registry` defaults to a fresh one (tests pass their own); `clock`
    is the time every component of the process plans, stores and schedules by."""
    metrics = Metrics(registry if registry is not None else CollectorRegistry())
    if settings.backend is Backend.EMBEDDED:
        return _embedded(settings, metrics, clock)
    return _distributed(settings, metrics, clock)


def _embedded(settings: Settings, metrics: Metrics, clock: Callable[[], datetime]) -> Services:
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
    wired = alerting(
        settings, metrics, subscriptions, alerts, SQLiteStories(db), dispatcher, deliveries, clock
    )
    due = SQLiteDueDeliveries(db)
    backlog = EmbeddedBacklogProbe(
        {
            EmbeddedQueue.ARTICLES: lambda: log.backlog(PIPELINE_GROUP, settings.articles_topic),
            EmbeddedQueue.DELIVERIES: due.pending,
        },
        metrics,
    )
    producer = log.producer()
    sampler = PeriodicSampler(backlog.sample).start()
    core = _Core(
        settings=settings,
        producer=producer,
        dead_letters=SQLiteDeadLetters(db),
        analyses=SQLiteAnalyses(db),
        api_keys=SQLiteApiKeys(db),
        make_consumer=lambda: log.consumer(PIPELINE_GROUP, [settings.articles_topic]),
        prune_queue=lambda: log.prune(settings.articles_topic),
        sample_backlog=backlog.sample,
        readiness={
            "store": lambda: db.conn().execute("SELECT 1").fetchone(),
            "queue": lambda: log.connection().execute("SELECT 1").fetchone(),
        },
        closers=[db.close, producer.close, dispatcher.close, sampler.stop],
    )
    return _assemble(core, wired, metrics, clock)


def _distributed(settings: Settings, metrics: Metrics, clock: Callable[[], datetime]) -> Services:
    from newswatch.delivery.runners.wiring import celery_dispatcher
    from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
    from newswatch.store.alerts_redis_stories import RedisStories
    from newswatch.store.delivery_log_redis import RedisDeliveryLog
    from newswatch.transport.kafka import KafkaQueueConsumer, KafkaQueueProducer

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
    dispatcher = celery_dispatcher(settings)
    wired = alerting(
        settings,
        metrics,
        RedisSubscriptions(client, keys),
        RedisAlerts(client, keys),
        RedisStories(client, keys),
        dispatcher,
        RedisDeliveryLog(client, keys),
        clock,
    )
    core = _Core(
        settings=settings,
        producer=producer,
        dead_letters=RedisDeadLetters(client, keys),
        analyses=RedisAnalyses(client, keys, ttl_s=w.analyses_ttl_s),
        api_keys=RedisApiKeys(client, keys),
        make_consumer=lambda: KafkaQueueConsumer(
            settings.kafka_bootstrap, w.group, [settings.articles_topic]
        ),
        prune_queue=lambda: 0,  # Kafka's retention deletes consumed messages
        sample_backlog=lambda: None,  # the worker samples its consumer lag (KafkaLagProbe)
        readiness={
            "store": client.ping,  # also Celery's broker: the delivery queue
            "queue": tcp_reachable(settings.kafka_bootstrap),
        },
        closers=[client.close, producer.close, dispatcher.close],
    )
    return _assemble(core, wired, metrics, clock)


def alerting(
    settings: Settings,
    metrics: Metrics,
    subscriptions: SubscriptionStore,
    alerts: AlertStore,
    stories: StoryStore,
    dispatcher: DeliveryDispatcher,
    deliveries: DeliveryLog,
    clock: Callable[[], datetime] = utcnow,
) -> Alerting:
    """Subscriptions, stories and alerts over these stores, with the planner and the hand-off."""
    from newswatch.alerts.declared import apply_file
    from newswatch.alerts.handoff import hand_off
    from newswatch.alerts.planner import StoryPlanner
    from newswatch.runtime.instrumentation import counting_flush

    if settings.alerts.subscriptions_file is not None:
        # Declared subscriptions are upserted at every start; a bad file stops start-up (InvalidMessage).
        apply_file(subscriptions, settings.alerts.subscriptions_file)
    # Not thread-safe: used by the pipeline thread only.
    planner = StoryPlanner(subscriptions, stories, settings.alerts.planner())

    def alert_sink(draft: AlertDraft) -> None:
        """Store the alert unless the planner did, then enqueue its delivery; durable once this
        returns. Only then does it leave the outbox."""
        for alert_id in hand_off([draft], planner.tenant_of, alerts, clock()):
            dispatcher.enqueue(alert_id)
        stories.outbox_done([draft.id])

    def resend_unsent(now: datetime) -> None:
        """Alerts stored by a planner that died before enqueueing them (same id, so same webhook-id)."""
        ids = planner.unsent(now - OUTBOX_GRACE)
        for alert_id in ids:
            alert = alerts.get(alert_id)
            if alert is not None and alert.status is AlertStatus.PENDING:
                dispatcher.enqueue(alert_id)
        stories.outbox_done(ids)

    def flush_held(now: datetime) -> tuple[AlertDraft, ...]:
        resend_unsent(now)
        return planner.flush(now)

    return Alerting(
        planner=planner,
        subscriptions=subscriptions,
        alerts=alerts,
        stories=stories,
        deliveries=deliveries,
        dispatcher=dispatcher,
        alert_sink=alert_sink,
        # Held alerts are counted when they fall due, as the runtimes count those planned per batch.
        flush_held=counting_flush(flush_held, metrics),
    )
