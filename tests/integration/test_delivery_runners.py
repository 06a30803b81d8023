"""Delivery end to end, once per runner: a real Celery worker (`newswatch delivery` subprocess
on real Redis) and the embedded thread pool (SQLite), against real HTTP receivers on 127.0.0.1
that verify every signature with the `standardwebhooks` library.

Both runners use the short test schedule 0, 0.2, 0.5 s. The Celery worker parks waits above
0.3 s in the Redis due-retry set, so the third attempt also exercises the mover.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from newswatch.alerts.ports import AlertRecord, Subscription
from newswatch.config import Settings
from newswatch.contracts.schemas import schema_errors
from newswatch.delivery.config import DeliveryConfig
from newswatch.delivery.log import AttemptQuery, DeliveryLog
from newswatch.delivery.runners.wiring import celery_dispatcher, embedded_delivery
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.alerts_sqlite import SQLiteAlerts, SQLiteSubscriptions
from newswatch.store.delivery_due_sqlite import SQLiteDueDeliveries
from newswatch.store.delivery_log_redis import RedisDeliveryLog
from newswatch.store.delivery_pending_redis import RedisPending
from newswatch.store.redis import Keys, client_from_url
from newswatch.store.sqlite import SQLiteDB
from tests.integration.test_delivery_helpers import (
    Receiver,
    make_alert,
    make_subscription,
    receiver_factory,
    status_of,
    wait_until,
)

ENV = {
    "NEWSWATCH_DELIVERY_SCHEDULE": "0,0.2,0.5",
    "NEWSWATCH_DELIVERY_JITTER": "0",
    "NEWSWATCH_DELIVERY_COUNTDOWN_MAX": "0.3",
    "NEWSWATCH_DELIVERY_MOVER_INTERVAL": "0.05",
    # Receivers listen on 127.0.0.1 only; 127.0.0.2 stays forbidden for the SSRF case.
    "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
}


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from receiver_factory()


@dataclass
class Harness:
    subs: Any  # SubscriptionStore
    alerts: Any  # AlertStore
    log: DeliveryLog
    enqueue: Callable[[str], None]
    # How many alerts still wait for an attempt (Celery: open deliveries; embedded: due rows). At 0
    # no attempt of any alert can follow: every attempt, a retry included, is scheduled first.
    scheduled: Callable[[], int]

    def add(self, sub: Subscription) -> AlertRecord:
        self.subs.create(sub)
        alert = make_alert(sub)
        assert self.alerts.put(alert)
        return alert

    def outcomes(self, alert: AlertRecord) -> list[tuple[int, str, int | None]]:
        items = self.log.list_attempts(AttemptQuery(tenant=alert.tenant, alert_id=alert.id)).items
        return [(a.attempt, a.outcome, a.status) for a in reversed(items)]

    def status(self, alert: AlertRecord) -> str:
        return str(self.alerts.get(alert.id).status)


@pytest.fixture(scope="module")
def celery_worker(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real `newswatch delivery` process on its own Redis key prefix; yields its environment."""
    prefix = f"newswatch-test:{uuid.uuid4().hex[:12]}:"
    env = {**os.environ, **ENV, "NEWSWATCH_REDIS_URL": redis_url, "NEWSWATCH_REDIS_PREFIX": prefix}
    env["NEWSWATCH_METRICS_PORT"] = str(_free_port())
    out = tmp_path_factory.mktemp("worker") / "worker.log"
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "delivery", "--concurrency", "4"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        if not wait_until(lambda: b"ready." in out.read_bytes() or proc.poll() is not None, 60):
            pytest.fail(f"delivery worker did not start:\n{out.read_text()}")
        assert proc.poll() is None, out.read_text()
        yield env
    finally:
        proc.terminate()
        proc.wait(30)
        client = client_from_url(redis_url)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _celery(request: pytest.FixtureRequest) -> Iterator[Harness]:
    env = request.getfixturevalue("celery_worker")
    client, keys = client_from_url(env["NEWSWATCH_REDIS_URL"]), Keys(env["NEWSWATCH_REDIS_PREFIX"])
    dispatcher = celery_dispatcher(Settings.from_env(env))
    yield Harness(
        RedisSubscriptions(client, keys),
        RedisAlerts(client, keys),
        RedisDeliveryLog(client, keys),
        dispatcher.enqueue,
        RedisPending(client, keys).count,
    )
    dispatcher.close()
    client.close()


def _embedded(tmp_path: Path) -> Iterator[Harness]:
    db = SQLiteDB(tmp_path / "state.sqlite3")
    subs, alerts = SQLiteSubscriptions(db), SQLiteAlerts(db)
    dispatcher, log = embedded_delivery(db, subs, alerts, DeliveryConfig.from_env(ENV))
    yield Harness(subs, alerts, log, dispatcher.enqueue, SQLiteDueDeliveries(db).pending)
    dispatcher.close()
    db.close()


# The Celery case needs Redis (through `celery_worker`, looked up at run time, which the conftest
# cannot see): it carries the marker itself, so selections without Redis leave it out.
@pytest.fixture(params=[pytest.param("celery", marks=pytest.mark.redis), "embedded"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    yield from _celery(request) if request.param == "celery" else _embedded(tmp_path)


def test_fails_twice_then_succeeds_with_one_webhook_id(
    harness: Harness, receiver: Callable[..., Receiver]
) -> None:
    r = receiver(500, 500, 200)
    alert = harness.add(make_subscription(r.url, r.secret))
    harness.enqueue(alert.id)
    assert wait_until(lambda: harness.status(alert) == "delivered")
    got = r.wait_for(3)
    assert len(got) == 3
    assert {g.headers["webhook-id"] for g in got} == {alert.id}
    assert all(g.verified is not None for g in got)  # every attempt's signature verifies
    assert all(schema_errors("alert", g.verified) == [] for g in got)
    assert harness.outcomes(alert) == [(1, "retry", 500), (2, "retry", 500), (3, "delivered", 200)]


def test_410_disables_the_subscription(harness: Harness, receiver: Callable[..., Receiver]) -> None:
    r = receiver(410)
    sub = make_subscription(r.url, r.secret)
    alert = harness.add(sub)
    harness.enqueue(alert.id)
    assert wait_until(lambda: not harness.subs.get(sub.id).enabled)
    assert wait_until(lambda: harness.outcomes(alert) == [(1, "disabled", 410)])
    assert harness.status(alert) == "disabled" and len(r.got) == 1


def test_ssrf_refused_when_not_allowed(harness: Harness, receiver: Callable[..., Receiver]) -> None:
    r = receiver(200)
    forbidden = r.url.replace("127.0.0.1", "127.0.0.2")  # loopback outside the allowlist
    alert = harness.add(make_subscription(forbidden, r.secret))
    harness.enqueue(alert.id)
    assert wait_until(lambda: harness.outcomes(alert) == [(1, "blocked", None)])
    assert harness.status(alert) == "exhausted" and r.got == []


def test_other_4xx_gives_up_after_one_attempt(harness: Harness, receiver: Callable[..., Receiver]) -> None:
    r = receiver(400)
    alert = harness.add(make_subscription(r.url, r.secret))
    harness.enqueue(alert.id)
    assert wait_until(lambda: harness.status(alert) == "exhausted" and harness.scheduled() == 0)
    assert len(r.got) == 1 and harness.outcomes(alert) == [(1, "gave_up", 400)]


def test_replay_redelivers_an_exhausted_alert(harness: Harness, receiver: Callable[..., Receiver]) -> None:
    r = receiver(503, 503, 503, 200)
    alert = harness.add(make_subscription(r.url, r.secret))
    harness.enqueue(alert.id)
    assert wait_until(lambda: harness.status(alert) == "exhausted")
    assert [o[1] for o in harness.outcomes(alert)] == ["retry", "retry", "exhausted"]
    harness.enqueue(alert.id)  # what POST /v1/subscriptions/{id}/replay does per alert
    assert wait_until(lambda: harness.status(alert) == "delivered")
    assert len(r.wait_for(4)) == 4 and {g.headers["webhook-id"] for g in r.got} == {alert.id}
    assert all(g.verified is not None for g in r.got)


@pytest.fixture
def celery_harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    yield from _celery(request)


def test_worker_exports_delivery_metrics(
    celery_worker: dict[str, str], celery_harness: Harness, receiver: Callable[..., Receiver]
) -> None:
    h = celery_harness
    r = receiver(200)
    alert = h.add(make_subscription(r.url, r.secret))
    h.enqueue(alert.id)
    assert wait_until(lambda: h.status(alert) == "delivered")
    url = f"http://127.0.0.1:{celery_worker['NEWSWATCH_METRICS_PORT']}/metrics"
    text = httpx.get(url).text
    assert 'newswatch_deliveries_total{outcome="delivered",status_class="2xx"}' in text
    assert 'newswatch_celery_queue_depth_messages{queue="deliveries.retry"}' in text
    line = next(x for x in text.splitlines() if x.startswith("newswatch_delivery_duration_seconds_count"))
    assert float(line.split()[-1]) >= 1


def test_embedded_delivers_what_a_stopped_process_left_pending(
    tmp_path: Path, receiver: Callable[..., Receiver]
) -> None:
    r = receiver(200)
    db = SQLiteDB(tmp_path / "state.sqlite3")
    subs, alerts = SQLiteSubscriptions(db), SQLiteAlerts(db)
    sub = make_subscription(r.url, r.secret)
    subs.create(sub)
    alert = make_alert(sub)
    alerts.put(alert)
    SQLiteDueDeliveries(db).add(alert.id, 1, time.time())  # what enqueue left before the process stopped
    db.close()
    db = SQLiteDB(tmp_path / "state.sqlite3")  # "restart": fresh connections, a new pool
    subs, alerts = SQLiteSubscriptions(db), SQLiteAlerts(db)
    dispatcher, _ = embedded_delivery(db, subs, alerts, DeliveryConfig.from_env(ENV))
    try:
        assert len(r.wait_for(1)) == 1 and r.got[0].headers["webhook-id"] == alert.id
        assert wait_until(lambda: status_of(alerts, alert.id) == "delivered")
    finally:
        dispatcher.close()
        db.close()
