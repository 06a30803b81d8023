"""Factories for the composition root (`newswatch.compose`) and the delivery worker.

Embedded:     `embedded_delivery(db, subscriptions, alerts, config, metrics)` -> (dispatcher, log)
Distributed:  `celery_dispatcher(env)` in the API/pipeline processes (producer side only),
              `RedisDeliveryLog(client, keys)` for `GET /v1/deliveries`,
              and `newswatch delivery` builds `worker_runtime` in each worker process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from celery import Celery

from newswatch.alerts.ports import AlertStore, SubscriptionStore
from newswatch.delivery.config import QUEUE, TASK, DeliveryConfig
from newswatch.delivery.deliver import Deliverer
from newswatch.delivery.observe import Observer
from newswatch.delivery.runners.celery_app import broker_options, make_app
from newswatch.delivery.runners.embedded import EmbeddedDelivery
from newswatch.delivery.runners.tasks import WorkerRuntime
from newswatch.delivery.sender import HttpSender
from newswatch.observability.metrics import Metrics
from newswatch.store.delivery_due_redis import RedisDueDeliveries
from newswatch.store.delivery_due_sqlite import SQLiteDueDeliveries
from newswatch.store.delivery_journal import Journal
from newswatch.store.delivery_log_redis import RedisDeliveryLog
from newswatch.store.delivery_log_sqlite import SQLiteDeliveryLog
from newswatch.store.delivery_pending_redis import RedisPending
from newswatch.store.redis import Keys, client_from_url
from newswatch.store.sqlite import SQLiteDB


def embedded_delivery(
    db: SQLiteDB,
    subscriptions: SubscriptionStore,
    alerts: AlertStore,
    config: DeliveryConfig,
    metrics: Metrics | None = None,
) -> tuple[EmbeddedDelivery, SQLiteDeliveryLog]:
    """A started in-process pool and its attempt log; call `dispatcher.close()` at shutdown."""
    log = SQLiteDeliveryLog(db)
    sender = HttpSender(config.timeout, max_connections=config.concurrency * 2)
    deliverer = Deliverer(alerts, subscriptions, log, sender, config, Observer(metrics))
    return EmbeddedDelivery(deliverer, SQLiteDueDeliveries(db)).start(), log


class CeleryDispatcher:
    """Producer side of distributed delivery: `enqueue` opens the alert, then sends attempt 1's task.

    Opened first, so a task lost on its way (the send failed half-way, the broker died) is found
    by the sweeper; a failed open raises before anything was sent.
    """

    def __init__(
        self,
        app: Celery,
        config: DeliveryConfig,
        pending: RedisPending,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app, self._config, self._pending, self._clock = app, config, pending, clock

    def enqueue(self, alert_id: str) -> None:
        wait = self._config.schedule.delays[0]
        self._pending.track(alert_id, 1, self._clock() + wait + self._config.stale_after)
        self._app.send_task(TASK, args=[alert_id, 1], queue=QUEUE, countdown=wait or None)

    def close(self) -> None:
        self._app.close()


def celery_dispatcher(env: Mapping[str, str]) -> CeleryDispatcher:
    url, prefix = broker_options(env)
    pending = RedisPending(client_from_url(url), Keys(prefix))
    return CeleryDispatcher(make_app(env, with_tasks=False), DeliveryConfig.from_env(env), pending)


def worker_runtime(
    env: Mapping[str, str],
    config: DeliveryConfig,
    metrics: Metrics,
    send: Callable[[str, int, float | None], None],
) -> WorkerRuntime:
    """Stores, sender, breakers and journal of one worker process (Redis-backed)."""
    from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions

    url, prefix = broker_options(env)
    client, keys = client_from_url(url), Keys(prefix)
    log = RedisDeliveryLog(client, keys)
    sender = HttpSender(config.timeout, max_connections=max(config.concurrency * 2, 10))
    deliverer = Deliverer(
        RedisAlerts(client, keys), RedisSubscriptions(client, keys), log, sender, config, Observer(metrics)
    )
    return WorkerRuntime(
        deliverer, RedisDueDeliveries(client, keys), RedisPending(client, keys), Journal(config.journal), send
    )
