"""Digest delivery in the distributed runtime: real Kafka, Redis state, a real Celery `newswatch
delivery` worker and a receiver that verifies Standard Webhooks signatures.

The API and the pipeline worker run in this process with a clock the test moves (the delivery
worker is a subprocess on real time: it only sends what the planner stored). A digest
subscription is created over HTTP, articles are posted over HTTP (to Kafka), and once the test
moves the clock past the period's end the receiver gets one signed digest with both stories.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from newswatch import compose
from newswatch.commands.worker import build as build_worker
from newswatch.config import Settings
from newswatch.contracts.schemas import schema_errors
from tests.integration._prometheus import stop
from tests.integration.api_server import serve
from tests.integration.embedded_process import wait_for
from tests.integration.test_delivery_helpers import Receiver, receiver_factory
from tests.integration.test_digest_embedded import START, STRIKE, THEATRE, Clock

ADMIN = "digest-distributed-admin"
WITHIN_S = 90.0  # a cold worker loads the analysis tables first


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from receiver_factory()


@pytest.fixture
def env(kafka_bootstrap: str, redis_url: str, redis_prefix: str) -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:10]
    topics = {name: f"test.digest-{name}.{tag}" for name in ("articles", "dlq", "analyses")}
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="newswatch-tests")
    admin.create_topics([NewTopic(t, num_partitions=1, replication_factor=1) for t in topics.values()])
    try:
        yield {
            "NEWSWATCH_BACKEND": "distributed",
            "NEWSWATCH_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "NEWSWATCH_REDIS_URL": redis_url,
            "NEWSWATCH_REDIS_PREFIX": redis_prefix,
            "NEWSWATCH_ADMIN_TOKEN": ADMIN,
            "NEWSWATCH_ARTICLES_TOPIC": topics["articles"],
            "NEWSWATCH_DLQ_TOPIC": topics["dlq"],
            "NEWSWATCH_ANALYSES_TOPIC": topics["analyses"],
            "NEWSWATCH_WORKER_GROUP": f"digest-{tag}",
            "NEWSWATCH_DELIVERY_SCHEDULE": "0,0.5,1",
            "NEWSWATCH_DELIVERY_JITTER": "0",
            "NEWSWATCH_DELIVERY_COUNTDOWN_MAX": "1",
            "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
        }
    finally:
        admin.delete_topics(list(topics.values()))
        admin.close()


@pytest.fixture
def delivery_worker(env: dict[str, str], tmp_path: Path) -> Iterator[None]:
    with (tmp_path / "delivery.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "delivery", "--concurrency", "1"],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield
    stop(proc, grace_s=20.0)


def test_a_digest_reaches_the_receiver_through_celery_signed_once_per_period(
    env: dict[str, str], delivery_worker: None, receiver: Callable[..., Receiver]
) -> None:
    settings = Settings.from_env(env)
    clock = Clock(START)
    services = compose.build(settings, clock=clock)
    worker = build_worker(services, replace(settings.worker, group=env["NEWSWATCH_WORKER_GROUP"]))
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    hook = receiver(200)
    try:
        with (
            serve(services) as url,
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30) as api,
        ):
            body = {
                "name": "kharkiv every 30 minutes",
                "filters": {"regions": ["UA-63"]},
                "webhook": {"url": hook.url},
                "delivery": {"mode": "digest", "interval": "30m"},
            }
            r = api.post("/v1/subscriptions", json=body)
            assert r.status_code == 201, r.text
            sub, hook.secret = r.json(), r.json()["secret"]
            for art_id, (title, text) in (("dd-strike", STRIKE), ("dd-theatre", THEATRE)):
                doc = {"id": art_id, "title": title, "body": text, "source": "city-news"}
                assert api.post("/v1/articles", json=doc).status_code == 202

            def waiting() -> list[dict[str, Any]]:
                found = api.get("/v1/alerts", params={"subscription_id": sub["id"]}).json()["items"]
                return [a for a in found if a["status"] == "in_digest"]

            wait_for(lambda: len(waiting()) == 2, WITHIN_S, "both stories planned for the digest")
            assert hook.got == []

            clock.set(datetime(2026, 11, 25, 10, 30, 1, tzinfo=UTC))  # 10:00-10:30 is over
            got = hook.wait_for(1, WITHIN_S)
            assert len(got) == 1 and got[0].verified is not None, "one digest, signed with the secret"
            digest = got[0].verified
            data = digest["data"]
            assert digest["type"] == "digest" and schema_errors("alert", digest) == []
            assert got[0].headers["webhook-id"] == data["alert_id"]
            assert data["period"] == {
                "start": "2026-11-25T10:00:00Z",
                "end": "2026-11-25T10:30:00Z",
                "interval": "30m",
            }
            assert sorted(s["articles"][0]["id"] for s in data["stories"]) == ["dd-strike", "dd-theatre"]
            assert {s["story_id"] for s in data["stories"]} == {a["story_id"] for a in waiting()}

            def status() -> str:
                return str(api.get(f"/v1/alerts/{data['alert_id']}").json()["status"])

            wait_for(lambda: status() == "delivered", WITHIN_S, "the digest marked delivered by Celery")
    finally:
        worker.stop.set()
        thread.join(30)
        services.close()
