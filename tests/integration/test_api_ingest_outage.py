"""`POST /v1/articles` while the Kafka broker is unreachable: 503 with Retry-After, in bounded time.

The producer is kafka-python's, pointed at a hung broker: a socket that takes connections and never
answers (the API version is given, so the client is built without a broker, as when an outage
begins after start-up). Each request must come back within the ingest timeout, and must not hold
the ingest lock after it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from newswatch.compose import Services
from newswatch.config import Settings
from newswatch.observability.metrics import Metrics
from newswatch.store.analyses import SQLiteAnalyses
from newswatch.store.api_keys import SQLiteApiKeys
from newswatch.store.dead_letters import SQLiteDeadLetters
from newswatch.store.sqlite import SQLiteDB
from newswatch.transport.kafka import KafkaQueueProducer
from tests.integration.api_server import serve

TIMEOUT_S = 1.5
SLACK_S = 3.0  # HTTP, thread start-up and a loaded CI machine


@dataclass
class Outage:
    url: str
    services: Services


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[Outage]:
    settings = Settings.from_env(
        {"NEWSWATCH_DATA_DIR": str(tmp_path), "NEWSWATCH_INGEST_TIMEOUT": str(TIMEOUT_S)}
    )
    db = SQLiteDB(tmp_path / "state.sqlite3")
    hung = socket.create_server(("127.0.0.1", 0), backlog=16)  # accepts nothing, answers nothing
    producer = KafkaQueueProducer(
        f"127.0.0.1:{hung.getsockname()[1]}",
        api_version=(3, 0, 0),
        max_block_ms=int(settings.ingest_timeout_s * 1000),  # as compose builds it
    )
    services = Services(
        settings=settings,
        producer=producer,
        ingest_lock=threading.Lock(),
        dead_letters=SQLiteDeadLetters(db),
        analyses=SQLiteAnalyses(db),
        api_keys=SQLiteApiKeys(db),
        metrics=Metrics(CollectorRegistry()),
    )
    with serve(services) as url:
        yield Outage(url, services)
    producer.close()  # before the "broker" goes: a refused reconnect would leak kafka-python's sockets
    hung.close()
    db.close()


def post(url: str, n: int) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    r = httpx.post(f"{url}/v1/articles", json={"id": f"outage-{n}", "body": "Text."}, timeout=60)
    return r, time.monotonic() - start


def test_a_post_during_a_broker_outage_gets_503_with_retry_after_in_bounded_time(outage: Outage) -> None:
    r, took = post(outage.url, 1)
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) >= 1
    assert "retry" in r.json()["detail"]
    assert took < TIMEOUT_S + SLACK_S, took
    # nothing holds the ingest lock once the request is answered
    assert outage.services.ingest_lock.acquire(blocking=False)
    outage.services.ingest_lock.release()


def test_concurrent_posts_each_get_their_answer_in_bounded_time(outage: Outage) -> None:
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: post(outage.url, n), range(4)))
    assert [r.status_code for r, _ in results] == [503] * 4
    # each waits for the lock at most the timeout and holds it at most the timeout
    assert max(took for _, took in results) < 2 * TIMEOUT_S + SLACK_S, [took for _, took in results]
