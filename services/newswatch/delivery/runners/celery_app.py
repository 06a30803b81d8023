"""The Celery app of distributed delivery: Redis broker, JSON only, late acks, one task at a time.

`make_app(env)` builds it from plain options; the module-level `app` exists
for `celery -A newswatch.delivery.runners.celery_app worker -Q deliveries,deliveries.retry`
(`newswatch delivery` runs the same worker with the due-retry mover beside it).
Broker keys live under `<NEWSWATCH_REDIS_PREFIX>celery:` so several
deployments (or test runs) can share one Redis.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from celery import Celery

from newswatch.delivery.config import QUEUE, DeliveryConfig
from newswatch.observability.metrics import Metrics

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PREFIX = "newswatch:"


def broker_options(env: Mapping[str, str]) -> tuple[str, str]:
    """(Redis URL, key prefix) from NEWSWATCH_REDIS_URL / NEWSWATCH_REDIS_PREFIX."""
    return env.get("NEWSWATCH_REDIS_URL") or DEFAULT_REDIS_URL, env.get(
        "NEWSWATCH_REDIS_PREFIX"
    ) or DEFAULT_PREFIX


def make_app(
    env: Mapping[str, str], metrics: Callable[[], Metrics | None] = lambda: None, with_tasks: bool = True
) -> Celery:
    """The app; with `with_tasks` also the delivery task (workers), else only the client side."""
    url, prefix = broker_options(env)
    config = DeliveryConfig.from_env(env)
    app = Celery("newswatch-delivery", broker=url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # Acked after the attempt finished: a worker killed mid-POST hands the task on (at-least-once).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        # Countdowns never exceed config.countdown_max, far below this, so no ETA task is redelivered early.
        # A killed worker's unacknowledged tasks are restored once older than the visibility timeout,
        # by any worker's sweep (every restore_interval; throttle 1: each sweep really looks).
        broker_transport_options={
            "visibility_timeout": config.visibility_timeout,
            "unacked_restore_interval": config.restore_interval,
            "unacked_restore_throttle": 1,
            # the sweep's mutex, held by a worker killed mid-sweep, would block restores this long
            "unacked_mutex_expire": int(config.visibility_timeout),
            "global_keyprefix": f"{prefix}celery:",
        },
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        task_time_limit=config.timeout * 4 + 30,  # a hung attempt is killed, then redelivered
    )
    if with_tasks:
        _add_worker_parts(app, env, config, metrics)
    return app


def _add_worker_parts(
    app: Celery, env: Mapping[str, str], config: DeliveryConfig, metrics: Callable[[], Metrics | None]
) -> None:
    from newswatch.delivery.runners.mover import DueMover, install_mover
    from newswatch.delivery.runners.sweeper import Sweeper
    from newswatch.delivery.runners.tasks import register
    from newswatch.store.alerts_redis import RedisAlerts
    from newswatch.store.delivery_due_redis import RedisDueDeliveries
    from newswatch.store.delivery_pending_redis import RedisPending
    from newswatch.store.redis import Keys, client_from_url

    url, prefix = broker_options(env)
    register(app, env, config, metrics)

    def mover() -> DueMover:
        client, keys = client_from_url(url), Keys(prefix)
        due = RedisDueDeliveries(client, keys)
        m = DueMover(
            due, app, config.mover_interval, sweep=lambda: sweeper.sweep(), sweep_every=config.sweep_interval
        )
        sweeper = Sweeper(RedisPending(client, keys), RedisAlerts(client, keys), m.send, config.stale_after)
        return m

    install_mover(app, mover)


app: Celery  # for `celery -A`: made on first access by the module __getattr__ below


def __getattr__(name: str) -> Celery:
    """`app`, built on first use (for the celery CLI), so importing this module costs nothing."""
    if name != "app":
        raise AttributeError(name)
    global app
    app = make_app(os.environ)
    return app
