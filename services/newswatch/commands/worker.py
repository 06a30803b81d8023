"""`newswatch worker`: Kafka consumer-group members running the pipeline (distributed mode).

Reads `articles`, produces analyses to `analyses` (unless turned off) and stores them in Redis for
the API (with a TTL), invalid input to `articles.dlq`, hands alerts off to delivery (stored in
Redis, enqueued for the Celery workers of `newswatch delivery`), then commits.
`--processes N` runs N worker processes in the group (see runtime/worker_processes.py); the topic
needs at least N partitions for all of them to work.
SIGTERM/SIGINT: finish and commit the batch in hand, close, exit 0 (also during start-up).
"""

from __future__ import annotations

import argparse
import logging
import signal
from collections.abc import Callable

from newswatch import compose
from newswatch.cli import interrupt_startup
from newswatch.config import Backend, load_settings
from newswatch.runtime.core import HeldAlertsFlusher
from newswatch.runtime.worker import Worker, stop_on_signals
from newswatch.runtime.worker_config import WorkerConfig
from newswatch.runtime.worker_handoff import SinkAlertHandOff
from newswatch.runtime.worker_records import WorkerTopics
from newswatch.transport.base import Consumer
from newswatch.transport.kafka import KafkaQueueConsumer

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("worker", help="process articles from Kafka (distributed mode)")
    p.add_argument("--bootstrap", help="Kafka bootstrap servers (default NEWSWATCH_KAFKA_BOOTSTRAP)")
    p.add_argument("--group", help="consumer group (default NEWSWATCH_WORKER_GROUP or newswatch-pipeline)")
    p.add_argument("--topic", help="input topic (default NEWSWATCH_ARTICLES_TOPIC or articles)")
    p.add_argument("--dlq-topic", help="dead-letter topic (default NEWSWATCH_DLQ_TOPIC or articles.dlq)")
    p.add_argument("--analyses-topic", help="analysis output topic (default analyses)")
    p.add_argument(
        "--no-analyses-topic",
        dest="produce_analyses",
        action="store_false",
        default=None,
        help="produce no analyses to Kafka (alerts only; NEWSWATCH_WORKER_PRODUCE_ANALYSES=0)",
    )
    p.add_argument("--max-records", type=int, help="messages per poll and commit (default 100)")
    p.add_argument(
        "--processes",
        type=int,
        help="worker processes in the group (default NEWSWATCH_WORKER_PROCESSES or 1; <= partitions)",
    )
    p.add_argument(
        "--metrics-port", type=int, help="serve Prometheus /metrics on this port (process i of N: port + i)"
    )
    p.set_defaults(func=run, handles_signals=True)


def run(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGINT, interrupt_startup)  # SIGTERM is already (newswatch.cli)
    logging.getLogger("kafka").setLevel(logging.WARNING)  # its INFO is one line per connection
    log.info("worker: starting")
    settings = load_settings()
    config = settings.worker.with_overrides(
        group=args.group,
        analyses_topic=args.analyses_topic,
        produce_analyses=args.produce_analyses,
        max_records=args.max_records,
        processes=args.processes,
    )
    settings = settings.with_overrides(
        backend=Backend.DISTRIBUTED,
        kafka_bootstrap=args.bootstrap,
        articles_topic=args.topic,
        dlq_topic=args.dlq_topic,
        metrics_port=args.metrics_port,
        worker=config,
    )
    if config.processes > 1:
        from newswatch.runtime.worker_processes import supervise

        return supervise(config.processes, lambda i: child_argv(args, i))
    services = compose.build(settings)
    try:
        worker = build(services, config)
        stop_on_signals(worker.stop)  # from here a stop request drains the batch in hand
        log.info(
            "worker: group %s on %s at %s", config.group, settings.articles_topic, settings.kafka_bootstrap
        )
        worker.run()
        log.info("worker: stopped after %d messages", worker.processed)
    finally:
        services.close()
    return 0


FLAGS = ("bootstrap", "group", "topic", "dlq_topic", "analyses_topic", "max_records")


def child_argv(args: argparse.Namespace, index: int) -> list[str]:
    """The command line of worker process `index` of a `--processes N` run: one process, same flags."""
    argv = ["--log-level", args.log_level, "worker", "--processes", "1"]
    for name in FLAGS:
        value = getattr(args, name)
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", str(value)]
    if args.produce_analyses is False:
        argv.append("--no-analyses-topic")
    if args.metrics_port is not None:
        argv += ["--metrics-port", str(args.metrics_port + index)]
    return argv


def build(services: compose.Services, config: WorkerConfig, consumer: Consumer | None = None) -> Worker:
    """The worker of this process, with its consumer, hand-off, metrics server and lag probe.

    `consumer` replaces the Kafka consumer of the group (the benchmarks wrap one to time hand-offs).
    """
    s = services.settings
    analyses_topic = config.analyses_topic if config.produce_analyses else None
    topics = WorkerTopics(s.articles_topic, s.dlq_topic, analyses_topic)
    if consumer is None:
        consumer = KafkaQueueConsumer(
            s.kafka_bootstrap, config.group, [topics.articles], max_poll_records=config.max_records
        )
    ticks: list[Callable[[], None]] = [
        HeldAlertsFlusher(services.flush_held, services.alert_sink, services.clock)
    ]
    if s.metrics_port is not None:
        from newswatch.observability.backlog import KafkaLagProbe
        from newswatch.observability.export import serve_metrics

        serve_metrics(s.metrics_port, services.metrics.registry)
        if isinstance(consumer, KafkaQueueConsumer):
            ticks.append(KafkaLagProbe(consumer.raw, services.metrics).maybe_sample)
    return Worker(
        consumer,
        services.producer,
        compose.pipeline(services),
        SinkAlertHandOff(services.alert_sink),
        topics,
        analyses=services.analyses if config.analyses_ttl_s > 0 else None,
        clock=services.clock,
        metrics=services.metrics,
        max_records=config.max_records,
        ticks=ticks,
    )
