"""`newswatch worker`: a Kafka consumer-group member running the pipeline (distributed mode).

Reads `articles`, produces analyses to `analyses`, invalid input to `articles.dlq`, hands alerts
off (to delivery when it is wired in compose, else to the `alerts` topic), then commits.
SIGTERM/SIGINT: finish and commit the batch in hand, close, exit 0.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable

from newswatch import compose
from newswatch.config import Backend, Settings
from newswatch.runtime.worker import Worker, stop_on_signals
from newswatch.runtime.worker_config import WorkerConfig
from newswatch.runtime.worker_handoff import (
    AlertHandOff,
    HeldAlertsFlusher,
    SinkAlertHandOff,
    TopicAlertHandOff,
)
from newswatch.runtime.worker_records import WorkerTopics
from newswatch.transport.kafka import KafkaQueueConsumer

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("worker", help="process articles from Kafka (distributed mode)")
    p.add_argument("--bootstrap", help="Kafka bootstrap servers (default NEWSWATCH_KAFKA_BOOTSTRAP)")
    p.add_argument("--group", help="consumer group (default NEWSWATCH_WORKER_GROUP or newswatch-pipeline)")
    p.add_argument("--topic", help="input topic (default NEWSWATCH_ARTICLES_TOPIC or articles)")
    p.add_argument("--dlq-topic", help="dead-letter topic (default NEWSWATCH_DLQ_TOPIC or articles.dlq)")
    p.add_argument("--analyses-topic", help="analysis output topic (default analyses)")
    p.add_argument("--alerts-topic", help="alert drafts topic when delivery is not wired (default alerts)")
    p.add_argument("--max-records", type=int, help="messages per poll and commit (default 100)")
    p.add_argument("--metrics-port", type=int, help="serve Prometheus /metrics on this port")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.getLogger("kafka").setLevel(logging.WARNING)  # its INFO is one line per connection
    settings = Settings.from_env(os.environ).with_overrides(
        backend=Backend.DISTRIBUTED,
        kafka_bootstrap=args.bootstrap,
        articles_topic=args.topic,
        dlq_topic=args.dlq_topic,
        metrics_port=args.metrics_port,
    )
    config = WorkerConfig.from_env(os.environ).with_overrides(
        group=args.group,
        analyses_topic=args.analyses_topic,
        alerts_topic=args.alerts_topic,
        max_records=args.max_records,
    )
    services = compose.build(settings)
    try:
        worker = build(services, config)
        stop_on_signals(worker.stop)
        log.info(
            "worker: group %s on %s at %s", config.group, settings.articles_topic, settings.kafka_bootstrap
        )
        worker.run()
        log.info("worker: stopped after %d messages", worker.processed)
    finally:
        services.close()
    return 0


def build(services: compose.Services, config: WorkerConfig) -> Worker:
    """The worker of this process, with its consumer, hand-off, metrics server and lag probe."""
    s = services.settings
    topics = WorkerTopics(s.articles_topic, s.dlq_topic, config.analyses_topic, config.alerts_topic)
    consumer = KafkaQueueConsumer(
        s.kafka_bootstrap, config.group, [topics.articles], max_poll_records=config.max_records
    )
    hand_off: AlertHandOff = (
        SinkAlertHandOff(services.alert_sink, services.plan_alerts, services.clock)
        if services.dispatcher is not None
        else TopicAlertHandOff(services.producer, topics)
    )
    ticks: list[Callable[[], None]] = []
    if services.dispatcher is not None:
        ticks.append(HeldAlertsFlusher(services.flush_held, services.alert_sink, services.clock))
    if s.metrics_port is not None:
        from newswatch.metrics_backlog import KafkaLagProbe
        from newswatch.metrics_export import serve_metrics

        serve_metrics(s.metrics_port, services.metrics.registry)
        ticks.append(KafkaLagProbe(consumer.raw, services.metrics).maybe_sample)
    return Worker(
        consumer,
        services.producer,
        compose.pipeline(services),
        hand_off,
        topics,
        clock=services.clock,
        metrics=services.metrics,
        max_records=config.max_records,
        ticks=ticks,
    )
