"""`newswatch delivery`: the Celery worker of webhook delivery (its due-retry mover starts with it).

Consumes `deliveries` (first attempts) and `deliveries.retry` from the Redis
broker at NEWSWATCH_REDIS_URL. The default pool is threads: deliveries wait
on the network, and one process keeps the metrics simple. With
`--pool prefork` set PROMETHEUS_MULTIPROC_DIR before starting (see
`newswatch.observability.export`) or the children's metrics are not exported.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket

import redis
from kombu.transport.redis import PrefixedStrictRedis
from prometheus_client import CollectorRegistry

from newswatch.config import Settings
from newswatch.delivery.config import QUEUE, RETRY_QUEUE, DeliveryConfig
from newswatch.delivery.runners.celery_app import broker_options, make_app
from newswatch.observability.backlog import CeleryQueueProbe, PeriodicSampler
from newswatch.observability.export import (
    install_celery_hooks,
    multiprocess_dir,
    reset_multiprocess_dir,
    serve_metrics,
)
from newswatch.observability.metrics import Metrics
from newswatch.store.redis import client_from_url

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("delivery", help="run the webhook delivery worker (Celery) and the due-retry mover")
    p.add_argument("--concurrency", type=int, help="parallel deliveries (NEWSWATCH_DELIVERY_CONCURRENCY, 4)")
    p.add_argument("--pool", choices=("threads", "prefork"), default="threads", help="Celery pool (threads)")
    p.add_argument(
        "--metrics-port", type=int, help="serve Prometheus metrics on this port (NEWSWATCH_METRICS_PORT)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    env = Settings.from_env(os.environ).component_env()  # validated NEWSWATCH_* options
    if args.concurrency:
        env["NEWSWATCH_DELIVERY_CONCURRENCY"] = str(args.concurrency)
    config = DeliveryConfig.from_env(env)
    prefork = args.pool == "prefork"
    reset_multiprocess_dir()  # before any metric exists; no-op unless PROMETHEUS_MULTIPROC_DIR is set
    if prefork:
        if multiprocess_dir() is None:
            log.warning("prefork without PROMETHEUS_MULTIPROC_DIR: worker metrics will not be exported")
        install_celery_hooks()
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    # Threads share this process's Metrics; prefork children build their own (multiprocess files).
    app = make_app(env, metrics=(lambda: None) if prefork else (lambda: metrics))
    url, prefix = broker_options(env)
    client = client_from_url(url)
    port = args.metrics_port or _int(env.get("NEWSWATCH_METRICS_PORT"))
    sampler = _serve_metrics(port, registry, metrics, client, prefix) if port else None
    try:
        app.worker_main(_worker_argv(args, config))
    finally:
        if sampler is not None:
            sampler.stop()
        client.close()
    return 0


def _worker_argv(args: argparse.Namespace, config: DeliveryConfig) -> list[str]:
    return [
        "worker",
        f"--pool={args.pool}",
        f"--concurrency={config.concurrency}",
        f"--queues={QUEUE},{RETRY_QUEUE}",
        f"--loglevel={getattr(args, 'log_level', 'INFO')}",
        f"--hostname=delivery-{os.getpid()}@{socket.gethostname()}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def _serve_metrics(
    port: int, registry: CollectorRegistry, metrics: Metrics, client: redis.Redis, prefix: str
) -> PeriodicSampler:
    serve_metrics(port, registry)
    # The broker's keys carry our prefix; kombu's prefixed client lets the probe use plain queue names.
    prefixed = PrefixedStrictRedis(
        global_keyprefix=f"{prefix}celery:",
        connection_pool=client.connection_pool,
    )
    probe = CeleryQueueProbe(prefixed, (QUEUE, RETRY_QUEUE), metrics)
    return PeriodicSampler(probe.sample).start()


def _int(raw: str | None) -> int | None:
    return int(raw) if raw else None
