"""At-least-once on a real Celery worker: a worker killed mid-POST does not lose the alert.

The task is acknowledged only after the attempt (acks_late), so after `kill -9` the
message waits in the broker's unacked set; a new worker restores it once the
visibility timeout (3 s here) has passed and delivers it again with the same
`webhook-id`, which the receiver uses to drop the duplicate.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newswatch.delivery.runners.wiring import celery_dispatcher
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.redis import Keys, client_from_url
from tests.integration.test_delivery_helpers import (
    Receiver,
    make_alert,
    make_subscription,
    receiver_factory,
    status_of,
    wait_until,
)

pytestmark = pytest.mark.slow
VISIBILITY = 3.0


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from receiver_factory()


@pytest.fixture
def worker_env(redis_url: str) -> Iterator[dict[str, str]]:
    prefix = f"newswatch-test:{uuid.uuid4().hex[:12]}:"
    yield {
        **os.environ,
        "NEWSWATCH_REDIS_URL": redis_url,
        "NEWSWATCH_REDIS_PREFIX": prefix,
        "NEWSWATCH_DELIVERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
        "NEWSWATCH_DELIVERY_COUNTDOWN_MAX": "0.3",
        "NEWSWATCH_DELIVERY_TIMEOUT": "30",
        "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
    }
    client = client_from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "delivery", "--concurrency", "2"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    assert wait_until(lambda: b"ready." in log.read_bytes(), 60), log.read_text()
    return proc


def test_alert_survives_a_worker_killed_mid_delivery(
    worker_env: dict[str, str], receiver: Callable[..., Receiver], tmp_path: Path
) -> None:
    r = receiver(200, hang_first=20.0)  # the first POST never gets its answer in time
    client, keys = (
        client_from_url(worker_env["NEWSWATCH_REDIS_URL"]),
        Keys(worker_env["NEWSWATCH_REDIS_PREFIX"]),
    )
    subs, alerts = RedisSubscriptions(client, keys), RedisAlerts(client, keys)
    sub = make_subscription(r.url, r.secret)
    subs.create(sub)
    alert = make_alert(sub)
    alerts.put(alert)
    first = start_worker(worker_env, tmp_path / "first.log")
    second = None
    dispatcher = celery_dispatcher(worker_env)
    try:
        dispatcher.enqueue(alert.id)
        assert len(r.wait_for(1)) == 1  # the POST is in flight...
        first.send_signal(signal.SIGKILL)  # ...when the worker dies
        first.wait(10)
        time.sleep(VISIBILITY + 0.5)
        second = start_worker(worker_env, tmp_path / "second.log")
        assert wait_until(lambda: status_of(alerts, alert.id) == "delivered", 30), (
            tmp_path / "second.log"
        ).read_text()
        assert [g.headers["webhook-id"] for g in r.got] == [alert.id, alert.id]
        assert all(g.verified is not None for g in r.got)
    finally:
        dispatcher.close()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(30)
        client.close()


def test_a_killed_workers_task_is_delivered_within_a_minute_by_default(
    redis_url: str, receiver: Callable[..., Receiver], tmp_path: Path
) -> None:
    """No visibility override: the defaults alone bring the task back to the surviving worker."""
    prefix = f"newswatch-test:{uuid.uuid4().hex[:12]}:"
    env = {
        **os.environ,
        "NEWSWATCH_REDIS_URL": redis_url,
        "NEWSWATCH_REDIS_PREFIX": prefix,
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_DELIVERY_TIMEOUT": "30",
        "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
    }
    r = receiver(200, hang_first=90.0)  # the first POST never gets its answer
    client, keys = client_from_url(redis_url), Keys(prefix)
    sub = make_subscription(r.url, r.secret)
    RedisSubscriptions(client, keys).create(sub)
    alert = make_alert(sub)
    alerts = RedisAlerts(client, keys)
    alerts.put(alert)
    doomed = start_worker(env, tmp_path / "doomed.log")
    survivor = None
    dispatcher = celery_dispatcher(env)
    try:
        dispatcher.enqueue(alert.id)
        assert len(r.wait_for(1)) == 1
        survivor = start_worker(env, tmp_path / "survivor.log")
        doomed.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        doomed.wait(10)
        assert wait_until(lambda: status_of(alerts, alert.id) == "delivered", 75), (
            tmp_path / "survivor.log"
        ).read_text()
        took = time.monotonic() - killed_at
        print(f"delivered {took:.1f}s after the worker holding it was killed")
        assert took <= 60
        assert [g.headers["webhook-id"] for g in r.got] == [alert.id, alert.id]
    finally:
        dispatcher.close()
        for proc in (doomed, survivor):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(30)
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)
        client.close()


def test_the_sweeper_delivers_an_open_alert_whose_task_was_lost(
    worker_env: dict[str, str], receiver: Callable[..., Receiver], tmp_path: Path
) -> None:
    from newswatch.store.delivery_pending_redis import RedisPending

    env = {**worker_env, "NEWSWATCH_DELIVERY_STALE_AFTER": "1", "NEWSWATCH_DELIVERY_SWEEP_INTERVAL": "0.2"}
    r = receiver(200)
    client, keys = client_from_url(env["NEWSWATCH_REDIS_URL"]), Keys(env["NEWSWATCH_REDIS_PREFIX"])
    sub = make_subscription(r.url, r.secret)
    RedisSubscriptions(client, keys).create(sub)
    alert = make_alert(sub)
    alerts = RedisAlerts(client, keys)
    alerts.put(alert)
    RedisPending(client, keys).track(
        alert.id, 1, time.time()
    )  # opened, but its task never reached the broker
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        assert wait_until(lambda: status_of(alerts, alert.id) == "delivered", 30), (
            tmp_path / "worker.log"
        ).read_text()
        assert [g.headers["webhook-id"] for g in r.got] == [alert.id]
        assert wait_until(lambda: RedisPending(client, keys).count() == 0, 10)
    finally:
        worker.terminate()
        worker.wait(30)
        client.close()
