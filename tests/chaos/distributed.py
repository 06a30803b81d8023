"""Chaos on the distributed stack: real Kafka (the repo's local broker), a private Redis, two
`newswatch worker`s and a `newswatch delivery` Celery worker, a verifying webhook receiver.

Articles are produced in batches; between batches the faults fall at random: worker SIGKILLs,
delivery-worker SIGKILLs, Redis SIGKILLs (restarted on the same files), and one SIGKILL of the
Kafka broker (restarted by deploy/local/servers.sh). Killed processes are started again at once.
Then the run waits for the stream to settle and counts.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError

from newswatch.store.alerts_codec import alert_loads
from newswatch.store.alerts_redis import RedisSubscriptions
from newswatch.store.redis import Keys, client_from_url
from tests.chaos.common import (
    make_articles,
    notice_key,
    receipts,
    subscriptions,
    wait_until,
    webhook_receiver,
)
from tests.chaos.report import AlertKey, Report, summarize
from tests.conftest import KAFKA_PORT, SERVERS
from tests.integration.redis_process import RedisProcess

ENV = {
    "NEWSWATCH_BACKEND": "distributed",
    "NEWSWATCH_DELIVERY_SCHEDULE": "0,1,2,4,8,15,30",
    "NEWSWATCH_DELIVERY_JITTER": "0",
    "NEWSWATCH_DELIVERY_TIMEOUT": "5",
    "NEWSWATCH_DELIVERY_STALE_AFTER": "60",
    "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
}
FINAL = ("delivered", "exhausted", "disabled")


def size(small: bool) -> dict[str, Any]:
    if small:
        return dict(n_articles=600, worker_kills=1, delivery_kills=1, redis_kills=1, kafka_kills=0)
    return dict(n_articles=10_000, worker_kills=5, delivery_kills=3, redis_kills=2, kafka_kills=1)


class Stack:
    def __init__(self, workdir: Path, seed: int) -> None:
        self.dir = workdir / f"distributed-{seed}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.redis = RedisProcess(self.dir / "redis").start()
        self.bootstrap = f"127.0.0.1:{KAFKA_PORT}"
        tag = uuid.uuid4().hex[:8]
        self.topics = {k: f"chaos.{k}.{tag}" for k in ("articles", "dlq", "analyses")}
        self.group = f"chaos-{tag}"
        self.prefix = "nw:"
        self.env = {
            **os.environ,
            **ENV,
            "NEWSWATCH_REDIS_URL": self.redis.url,
            "NEWSWATCH_REDIS_PREFIX": self.prefix,
            "NEWSWATCH_DATA_DIR": str(self.dir / "data"),
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.faults = {
            "worker SIGKILL": 0,
            "delivery worker SIGKILL": 0,
            "Redis SIGKILL": 0,
            "Kafka broker SIGKILL": 0,
        }
        self._create_topics()

    def _create_topics(self) -> None:
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="newswatch-chaos")
        parts = {"articles": 4, "analyses": 4, "dlq": 1}
        admin.create_topics([NewTopic(t, parts[k], 1) for k, t in self.topics.items()])
        admin.close()

    def start(self, name: str) -> None:
        if name.startswith("worker"):
            t = self.topics
            args = ["worker", "--bootstrap", self.bootstrap, "--group", self.group, "--topic", t["articles"]]
            args += ["--dlq-topic", t["dlq"], "--analyses-topic", t["analyses"]]
        else:
            args = ["delivery", "--concurrency", "4"]
        with (self.dir / f"{name}.log").open("ab") as log:
            cmd = [sys.executable, "-m", "newswatch", *args]
            self.procs[name] = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        self.faults["delivery worker SIGKILL" if name == "delivery" else "worker SIGKILL"] += 1
        self.start(name)

    def kill_redis(self, rng: random.Random) -> None:
        self.redis.kill()
        self.faults["Redis SIGKILL"] += 1
        time.sleep(rng.uniform(1.0, 4.0))
        self.redis.start()

    def kill_kafka(self, rng: random.Random) -> None:
        local = Path(os.environ.get("NEWSWATCH_LOCAL_DIR") or SERVERS.parents[2] / ".local")
        pidfile = local / "kafka" / f"kafka-{KAFKA_PORT}.pid"
        status = subprocess.run([str(SERVERS), "status"], capture_output=True, text=True).stdout
        if f"kafka 127.0.0.1:{KAFKA_PORT} up" not in status or not pidfile.exists():
            raise RuntimeError("the Kafka broker is not this checkout's (servers.sh status): not killing it")
        os.kill(int(pidfile.read_text()), signal.SIGKILL)
        self.faults["Kafka broker SIGKILL"] += 1
        time.sleep(rng.uniform(1.0, 4.0))
        subprocess.run([str(SERVERS), "start", "kafka"], check=True, stdout=subprocess.DEVNULL, timeout=300)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        self.redis.stop()
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="newswatch-chaos")
        admin.delete_topics(list(self.topics.values()))
        admin.close()

    def stored(self) -> dict[AlertKey, str]:
        client, out = client_from_url(self.redis.url), {}
        try:
            for key in client.scan_iter(match=f"{self.prefix}alert:*", count=1000):
                doc, status = client.hmget(key, ["doc", "status"])
                if doc is not None and status is not None:
                    a = alert_loads(doc, status.decode() if isinstance(status, bytes) else str(status))
                    out[(a.subscription_id, a.story_id, a.revision)] = a.status.value
        finally:
            client.close()
        return out

    def noticed(self) -> list[AlertKey]:
        client, keys = client_from_url(self.redis.url), []
        try:
            for key in client.scan_iter(match=f"{self.prefix}story:notices:*", count=1000):
                keys += [notice_key(doc) for doc in client.hvals(key)]
        finally:
            client.close()
        return [k for k in keys if k is not None]


class Analyses:
    """Reads the analyses topic from the start (its own group) and keeps the article ids."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.ids: set[str] = set()
        self._consumer = KafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=f"chaos-reader-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )

    def read(self) -> set[str]:
        try:
            for records in self._consumer.poll(timeout_ms=1000, max_records=5000).values():
                self.ids.update(json.loads(r.value)["id"] for r in records)
        except KafkaError:  # the broker is away for a moment
            pass
        return self.ids

    def close(self) -> None:
        self._consumer.close()


def produce(producer: KafkaProducer, topic: str, batch: list[dict[str, Any]], accepted: set[str]) -> None:
    """Send until every article is acknowledged (acks=all), retrying through a broker outage."""
    pending = list(batch)
    deadline = time.monotonic() + 300
    while pending and time.monotonic() < deadline:
        futures = [
            (d, producer.send(topic, json.dumps(d).encode(), key=str(d["id"]).encode())) for d in pending
        ]
        failed = []
        for doc, future in futures:
            try:
                future.get(timeout=60)
                accepted.add(str(doc["id"]))
            except KafkaError:
                failed.append(doc)
        pending = failed
        if pending:
            time.sleep(1)


def run(
    workdir: Path,
    n_articles: int,
    worker_kills: int,
    delivery_kills: int,
    redis_kills: int,
    kafka_kills: int,
    seed: int,
    settle_s: float = 600,
) -> Report:
    rng = random.Random(seed)
    started = time.monotonic()
    docs = make_articles(n_articles, seed)
    stack = Stack(workdir, seed)
    faults = ["worker"] * worker_kills + ["delivery"] * delivery_kills + ["redis"] * redis_kills
    faults += ["kafka"] * kafka_kills
    rng.shuffle(faults)
    batches = max(len(faults) * 2 + 2, n_articles // 200)
    size_ = -(-n_articles // batches)
    at = dict(zip(sorted(rng.sample(range(1, batches), len(faults))), faults, strict=True))
    accepted: set[str] = set()
    with webhook_receiver() as receiver:
        client = client_from_url(stack.redis.url)
        for sub in subscriptions(receiver, f"d{seed}"):
            RedisSubscriptions(client, Keys(stack.prefix)).create(sub)
        client.close()
        for name in ("worker-1", "worker-2", "delivery"):
            stack.start(name)
        analyses = Analyses(stack.bootstrap, stack.topics["analyses"])
        producer = KafkaProducer(bootstrap_servers=stack.bootstrap, acks="all", retries=5, linger_ms=5)
        try:
            for n in range(batches):
                produce(producer, stack.topics["articles"], docs[n * size_ : (n + 1) * size_], accepted)
                fault = at.get(n)
                if fault == "worker":
                    stack.kill(rng.choice(["worker-1", "worker-2"]))
                elif fault == "delivery":
                    stack.kill("delivery")
                elif fault == "redis":
                    stack.kill_redis(rng)
                elif fault == "kafka":
                    stack.kill_kafka(rng)
                time.sleep(rng.uniform(0.5, 2.0))  # the stream goes on; the next fault falls later in it
            wait_until(lambda: analyses.read() >= accepted, settle_s, every_s=0.2)
            wait_until(lambda: all(s in FINAL for s in stack.stored().values()), settle_s, every_s=2)
            report = summarize(
                f"distributed: {n_articles} articles on Kafka, 2 workers, 1 delivery worker",
                accepted,
                analyses.read(),
                stack.noticed(),
                stack.stored(),
                receipts(receiver),
                stack.faults,
            )
        finally:
            producer.close()
            analyses.close()
            stack.stop()
    report.notes.append(f"{time.monotonic() - started:.0f} s; logs in {stack.dir}")
    return report
