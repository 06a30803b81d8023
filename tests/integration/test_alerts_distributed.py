"""Alerts in the distributed runtime: two `newswatch worker`s on real Kafka, a real Celery
`newswatch delivery` worker, Redis state, and a receiver that verifies Standard Webhooks signatures.

The same story from five outlets (a wire copy, keyed onto different partitions so the two
workers race) gives one `story.detected`; an independent report with a death toll gives one
`story.updated`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaProducer

from newswatch.alerts.ports import Filters, Subscription, Webhook
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.redis import Keys, client_from_url
from tests.integration.kafka_kit import committed_total
from tests.integration.test_delivery_helpers import Receiver, new_secret, receiver_factory

WIRE = (
    "Drones hit a power plant in Kharkiv oblast",
    "Russian drones struck a combined heat and power plant in Kharkiv oblast overnight, the regional "
    "governor said. Emergency crews restored part of the supply by morning, while engineers assessed "
    "the damage to the turbines.",
)
OWN = (
    "Kharkiv plant attack leaves two workers dead",
    "Two workers were killed when a drone attack hit the power plant in Kharkiv oblast on Tuesday night, "
    "the plant's director told reporters. He said the strike damaged a turbine hall.",
)
ENV = {
    "NEWSWATCH_BACKEND": "distributed",
    "NEWSWATCH_DELIVERY_SCHEDULE": "0,0.5,1",
    "NEWSWATCH_DELIVERY_JITTER": "0",
    "NEWSWATCH_DELIVERY_COUNTDOWN_MAX": "1",
    "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
}
WITHIN_S = 90.0  # two cold workers load the analysis tables first


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from receiver_factory()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[[list[str], dict[str, str]], subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (tmp_path / f"proc{len(procs)}.log").open("wb") as log:  # the child keeps its own handle
            cmd = [sys.executable, "-m", "newswatch", *args]
            procs.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT))
        return procs[-1]

    yield start
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)


def produce(bootstrap: str, topic: str, docs: list[dict[str, str]]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for n, doc in enumerate(docs):
        producer.send(topic, json.dumps(doc).encode(), key=f"k{n}".encode())
    producer.flush()
    producer.close()


def _kinds(hook: Receiver) -> list[str]:
    return [g.verified["type"] for g in hook.got if g.verified]


def wait(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():
        time.sleep(0.2)
    return check()


def settled(bootstrap: str, group: str, topic: str, alerts: RedisAlerts, articles: int) -> bool:
    """The group committed all `articles` (a worker commits only after storing the alerts they gave)
    and every stored alert is delivered: no alert about them can be added or sent from then on."""
    if committed_total(bootstrap, group, topic) < articles:
        return False
    return all(a.status == "delivered" for a in alerts.list_alerts(tenant="acme").items)


def test_five_outlets_one_detected_then_one_update_across_workers(
    kafka_bootstrap: str,
    redis_url: str,
    redis_prefix: str,
    unique_topic: Callable[..., str],
    receiver: Callable[..., Receiver],
    processes: Callable[[list[str], dict[str, str]], subprocess.Popen[bytes]],
) -> None:
    hook = receiver(200, secret=new_secret())
    client = client_from_url(redis_url)
    f = Filters(event_types=("power_plant_strike",), regions=("UA",))
    sub = Subscription("sub_dist", "acme", "kharkiv", f, Webhook(hook.url), hook.secret, repeat_interval=0)
    RedisSubscriptions(client, Keys(redis_prefix)).create(sub)
    alerts = RedisAlerts(client, Keys(redis_prefix))

    topic, group = unique_topic("alerts-articles", partitions=4), f"alerts-{redis_prefix[-13:-1]}"
    env = {**os.environ, **ENV, "NEWSWATCH_REDIS_URL": redis_url, "NEWSWATCH_REDIS_PREFIX": redis_prefix}
    worker = ["worker", "--bootstrap", kafka_bootstrap, "--group", group, "--topic", topic]
    worker += ["--dlq-topic", unique_topic("dlq"), "--analyses-topic", unique_topic("analyses")]
    processes(["delivery", "--concurrency", "2"], env)
    processes(worker, env)
    processes(worker, env)

    copies = [
        {"id": f"wire-{n}", "title": WIRE[0], "body": WIRE[1], "source": f"outlet-{n}"} for n in range(5)
    ]
    produce(kafka_bootstrap, topic, copies)
    assert wait(lambda: _kinds(hook) == ["story.detected"], WITHIN_S), f"got {_kinds(hook)}"
    assert wait(lambda: settled(kafka_bootstrap, group, topic, alerts, 5), 60), "copies not all processed"
    assert _kinds(hook) == ["story.detected"]
    data = hook.got[0].verified["data"]
    assert data["publishers"] == 1 and "UA-63" in data["regions"]

    produce(
        kafka_bootstrap, topic, [{"id": "own-1", "title": OWN[0], "body": OWN[1], "source": "local-paper"}]
    )
    assert wait(lambda: len(_kinds(hook)) >= 2, 60), f"got {_kinds(hook)}"
    assert wait(lambda: settled(kafka_bootstrap, group, topic, alerts, 6), 60), "report not processed"
    assert _kinds(hook) == ["story.detected", "story.updated"]
    update = hook.got[1].verified["data"]
    assert update["story_id"] == data["story_id"] and update["casualties"]["killed"] == 2
    assert "casualties" in update["changes"] and update["publishers"] == 2
    assert hook.got[1].headers["webhook-id"] == update["alert_id"] != data["alert_id"]
    client.close()
