"""`newswatch worker` as a subprocess on real Kafka: analyses out, dead letters, SIGTERM, SIGKILL.

Each test gets its own topics and consumer group, so it can share the broker with other sessions.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from bench.kafka_articles import INVALID, articles
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from newswatch.alerts.ports import Filters, Subscription, Webhook
from newswatch.contracts.schemas import schema_errors
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.redis import Keys, client_from_url

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

N_ARTICLES = 1000
ARTICLE_SIZE = 800  # bytes of body: the analyzer's speed is not under test here


@dataclass
class Topics:
    articles: str
    dlq: str
    analyses: str
    alerts: str
    group: str


@pytest.fixture
def topics(unique_topic: Callable[..., str]) -> Topics:
    return Topics(
        articles=unique_topic("articles", partitions=4),
        dlq=unique_topic("dlq", partitions=1),
        analyses=unique_topic("analyses", partitions=4),
        alerts=unique_topic("alerts", partitions=1),
        group=f"test-worker-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture
def start_worker(
    kafka_bootstrap: str, redis_url: str, redis_prefix: str, topics: Topics
) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    # The worker's alert planner and delivery queue live in Redis: a test db and key prefix of its own.
    env = {**os.environ, "NEWSWATCH_REDIS_URL": redis_url, "NEWSWATCH_REDIS_PREFIX": redis_prefix}
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        args = ["--bootstrap", kafka_bootstrap, "--group", topics.group, "--topic", topics.articles]
        args += [
            "--dlq-topic",
            topics.dlq,
            "--analyses-topic",
            topics.analyses,
            "--alerts-topic",
            topics.alerts,
        ]
        proc = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "worker", *args, "--max-records", "50"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        if proc.stderr:
            proc.stderr.close()


def produce(
    bootstrap: str, topic: str, messages: list[bytes], per_second: float | None = None
) -> list[tuple[int, int]]:
    """Produce in order (paced if asked); return each message's (partition, offset)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    futures = []
    for i, payload in enumerate(messages):
        futures.append(producer.send(topic, payload, key=str(i).encode()))
        if per_second:
            time.sleep(1 / per_second)
    producer.flush()
    producer.close()
    return [(m.partition, m.offset) for m in (f.get(10) for f in futures)]


class TopicReader:
    """Reads a whole topic from the start without a group; `read()` returns what arrived since."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
        parts = [TopicPartition(topic, p) for p in sorted(self._c.partitions_for_topic(topic) or ())]
        self._c.assign(parts)
        self._c.seek_to_beginning(*parts)

    def read(self, timeout_s: float = 0.5) -> list[bytes]:
        batches = self._c.poll(timeout_ms=int(timeout_s * 1000), max_records=5000)
        return [r.value for records in batches.values() for r in records]

    def until(
        self, done: Callable[[list[bytes]], bool], got: list[bytes], timeout_s: float = 120.0
    ) -> list[bytes]:
        deadline = time.monotonic() + timeout_s
        while not done(got) and time.monotonic() < deadline:
            got.extend(self.read())
        return got

    def close(self) -> None:
        self._c.close()


def ids(analyses: list[bytes]) -> set[str]:
    return {json.loads(a)["id"] for a in analyses}


def committed_total(bootstrap: str, group: str, topic: str) -> int:
    """Sum of the group's committed offsets over the topic's partitions (read without joining)."""
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in c.partitions_for_topic(topic) or ()]
        return sum(c.committed(tp) or 0 for tp in parts)
    finally:
        c.close(autocommit=False)


def test_worker_analyses_valid_articles_dead_letters_invalid_ones_and_drains_on_sigterm(
    kafka_bootstrap: str, topics: Topics, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    valid = articles(N_ARTICLES, seed=11, size=ARTICLE_SIZE, prefix="w")
    messages = list(valid)
    for k, (raw, _reason) in enumerate(INVALID):  # spread through the stream
        messages.insert(100 + k * 200, raw)
    positions = produce(kafka_bootstrap, topics.articles, messages)
    worker = start_worker()

    analyses = TopicReader(kafka_bootstrap, topics.analyses)
    got = analyses.until(lambda g: len(ids(g)) >= N_ARTICLES, [])
    dlq = TopicReader(kafka_bootstrap, topics.dlq).until(lambda g: len(g) >= len(INVALID), [])
    analyses.close()

    assert ids(got) == {f"w-{i}" for i in range(N_ARTICLES)}
    assert all(schema_errors("analysis", json.loads(a)) == [] for a in got)
    records = [json.loads(d) for d in dlq]
    assert all(schema_errors("dead-letter", r) == [] for r in records)
    by_original = {base64.b64decode(r["original"]): r for r in records}
    for k, (raw, reason) in enumerate(INVALID):
        record = by_original[raw]  # the original bytes, exactly
        partition, offset = positions[100 + k * 200]
        assert record["reason"] == reason
        assert record["detail"]
        assert record["source"] == {
            "transport": "kafka",
            "topic": topics.articles,
            "partition": partition,
            "offset": offset,
        }

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(20) == 0, worker.stderr.read().decode()[-3000:] if worker.stderr else ""
    assert committed_total(kafka_bootstrap, topics.group, topics.articles) == len(messages)


def test_worker_killed_mid_stream_and_restarted_loses_no_article(
    kafka_bootstrap: str, topics: Topics, start_worker: Callable[[], subprocess.Popen[bytes]]
) -> None:
    valid = articles(N_ARTICLES, seed=12, size=ARTICLE_SIZE, prefix="k")
    produce(kafka_bootstrap, topics.articles, valid[:100])
    worker = start_worker()
    analyses = TopicReader(kafka_bootstrap, topics.analyses)
    got = analyses.until(lambda g: len(ids(g)) >= 50, [], timeout_s=60)  # up and working
    # The rest as a steady stream over ~4.5 s; the kill lands 1 s into it, while articles still arrive.
    sender = threading.Thread(target=produce, args=(kafka_bootstrap, topics.articles, valid[100:], 200.0))
    sender.start()
    time.sleep(1.0)
    worker.send_signal(signal.SIGKILL)
    assert worker.wait(10) == -signal.SIGKILL
    assert sender.is_alive()  # it really died mid-stream

    restarted = start_worker()
    got = analyses.until(lambda g: len(ids(g)) >= N_ARTICLES, got)
    sender.join()
    analyses.close()
    assert ids(got) == {f"k-{i}" for i in range(N_ARTICLES)}  # each at least once
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(20) == 0


UA_BODY = (
    "Artillery fire hit the outskirts of Kharkiv on {day}, and {n} buildings were reported damaged. "
    "Power was cut to about {homes} homes in Kharkiv after a substation was struck, the grid operator said."
)
FR_BODY = "Thousands of people marched through central Lyon on {day} to protest against the new fuel tax."


def test_worker_hands_alerts_of_matching_articles_to_delivery(
    kafka_bootstrap: str,
    redis_url: str,
    redis_prefix: str,
    topics: Topics,
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    client = client_from_url(redis_url)
    subs, alerts = RedisSubscriptions(client, Keys(redis_prefix)), RedisAlerts(client, Keys(redis_prefix))
    for sub_id, region in (("sub_ua", "UA"), ("sub_jp", "JP")):
        hook = Webhook(f"https://hooks.example/{sub_id}")
        subs.create(
            Subscription(sub_id, "acme", region, Filters(regions=(region,)), hook, "whsec_dGVzdHNlY3JldA==")
        )
    days = ("Monday", "Tuesday", "Wednesday")
    ua = [
        {"id": f"ua-{i}", "body": UA_BODY.format(day=d, n=10 + i, homes=900 + i)} for i, d in enumerate(days)
    ]
    fr = [{"id": f"fr-{i}", "body": FR_BODY.format(day=d)} for i, d in enumerate(days)]
    produce(kafka_bootstrap, topics.articles, [json.dumps(a).encode() for a in ua + fr])
    worker = start_worker()

    deadline = time.monotonic() + 120
    while not alerts.list_alerts(tenant="acme").items and time.monotonic() < deadline:
        time.sleep(0.5)
    TopicReader(kafka_bootstrap, topics.analyses).until(lambda g: len(ids(g)) >= 6, [])  # all processed
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(20) == 0

    stored = alerts.list_alerts(tenant="acme").items
    assert stored, "no alert for the Kharkiv articles"
    assert {a.subscription_id for a in stored} == {"sub_ua"}  # nothing for the Japan subscription
    assert all(schema_errors("alert", a.payload) == [] and a.status == "pending" for a in stored)
    queued = [k for k in client.scan_iter(match=f"{redis_prefix}*") if client.type(k) == b"list"]
    assert sum(client.llen(k) for k in queued) >= len(stored)  # delivery tasks waiting in Celery's queue
    client.close()
