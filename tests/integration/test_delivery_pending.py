"""Distributed delivery's guards on real Redis: open alerts, the per-alert lock, the sweeper, and
the worker's journal carrying an outcome across a Redis crash that came right after the POST."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from newswatch.delivery.config import DeliveryConfig
from newswatch.delivery.runners.sweeper import Sweeper, requeue
from newswatch.delivery.runners.tasks import WorkerRuntime
from newswatch.delivery.runners.wiring import worker_runtime
from newswatch.observability.metrics import Metrics
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.delivery_pending_redis import Begun, RedisPending
from newswatch.store.redis import Keys, client_from_url
from tests.integration.redis_process import RedisProcess
from tests.integration.test_delivery_helpers import Receiver, make_alert, make_subscription, receiver_factory


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from receiver_factory()


@pytest.fixture
def pending(redis_url: str, redis_prefix: str) -> Iterator[RedisPending]:
    client = client_from_url(redis_url)
    yield RedisPending(client, Keys(redis_prefix))
    client.close()


def test_an_open_alert_takes_only_the_attempt_it_waits_for(pending: RedisPending) -> None:
    pending.track("a", 1, stale_at=100.0)
    assert pending.begin("a", 2, "t1", 5) == Begun(False, superseded=True)  # a copy from the future
    assert pending.begin("a", 1, "t1", 5) == Begun(True)
    busy = pending.begin("a", 1, "t2", 5)  # a redelivered copy while the first still runs
    assert not busy.go and not busy.superseded and 0 < busy.busy_s <= 5
    assert pending.advance("a", 1, 2, stale_at=200.0)
    pending.end("a", "t1")
    assert pending.begin("a", 1, "t3", 5) == Begun(False, superseded=True)  # attempt 1 is over
    assert pending.stale(150.0) == [] and pending.stale(250.0) == [("a", 2)]
    assert pending.advance("a", 1, 2, stale_at=200.0)  # the same outcome applied again: no harm
    assert pending.advance("a", 2, None) and pending.stale(1e12) == [] and pending.count() == 0


def test_a_replay_meanwhile_keeps_its_own_chain(pending: RedisPending) -> None:
    pending.track("a", 3, stale_at=100.0)
    pending.track("a", 1, stale_at=100.0)  # replayed while attempt 3 was in flight
    assert not pending.advance("a", 3, 4, stale_at=200.0)
    assert pending.stale(1e12) == [("a", 1)]


def test_an_alert_never_opened_is_attempted(pending: RedisPending) -> None:
    """Tasks queued before open alerts were tracked still run."""
    assert pending.begin("old", 4, "t", 5) == Begun(True)


@pytest.mark.parametrize(
    ("status", "again"),
    [
        ("pending", True),  # its first task was lost
        ("failed", True),  # its retry was lost
        ("delivered", False),  # done: only the bookkeeping was late
        ("exhausted", False),  # over; a replay reopens it
        ("disabled", False),
        (None, False),  # the alert is gone
    ],
)
def test_requeue(status: str | None, again: bool) -> None:
    assert requeue(status) is again


def test_the_sweeper_requeues_lost_tasks_and_closes_final_alerts(
    redis_url: str, redis_prefix: str, pending: RedisPending
) -> None:
    client, keys = client_from_url(redis_url), Keys(redis_prefix)
    subs, alerts = RedisSubscriptions(client, keys), RedisAlerts(client, keys)
    sub = make_subscription("http://127.0.0.1:9/hook", "whsec_x")
    subs.create(sub)
    lost, done = make_alert(sub), make_alert(sub)
    for a in (lost, done):
        alerts.put(a)
    alerts.set_status(done.id, "delivered")
    pending.track(lost.id, 2, stale_at=10.0)
    pending.track(done.id, 1, stale_at=10.0)
    pending.track("gone", 1, stale_at=10.0)
    pending.track("later", 1, stale_at=1000.0)
    sent: list[tuple[str, int]] = []
    sweeper = Sweeper(
        pending, alerts, lambda a, n: sent.append((a, n)), stale_after=60.0, clock=lambda: 100.0
    )
    assert sweeper.sweep() == 1 and sent == [(lost.id, 2)]
    assert pending.stale(159.0) == [] and sorted(pending.stale(1e12)) == sorted([(lost.id, 2), ("later", 1)])
    assert sweeper.sweep() == 0  # another worker's sweep within the lock period does nothing
    client.close()


@pytest.mark.redis
def test_an_outcome_survives_redis_dying_right_after_the_post(
    tmp_path: Path, receiver: Callable[..., Receiver]
) -> None:
    """The receiver answers 200 while Redis is down: the status write fails, the journal keeps it."""
    server = RedisProcess(tmp_path / "redis").start()
    env = {
        "NEWSWATCH_REDIS_URL": server.url,
        "NEWSWATCH_REDIS_PREFIX": "nw:",
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
        "NEWSWATCH_DELIVERY_TIMEOUT": "30",
    }
    config = DeliveryConfig.from_env(env)
    sent: list[tuple[str, int, float | None]] = []
    rt: WorkerRuntime = worker_runtime(env, config, Metrics(CollectorRegistry()), lambda *a: sent.append(a))
    client, keys = client_from_url(server.url), Keys("nw:")
    r = receiver(200)
    sub = make_subscription(r.url, r.secret)
    RedisSubscriptions(client, keys).create(sub)
    alert = make_alert(sub)
    alerts = RedisAlerts(client, keys)
    alerts.put(alert)
    RedisPending(client, keys).track(alert.id, 1, time.time() + 60)
    original = r.handle

    def crash_then_answer(headers: dict[str, str], body: bytes) -> int:
        server.kill()  # Redis dies while the POST is in flight
        return original(headers, body)

    r.handle = crash_then_answer  # type: ignore[method-assign]
    try:
        runner = threading.Thread(target=rt.run, args=(alert.id, 1))
        runner.start()
        runner.join(60)
        assert len(r.got) == 1 and rt.journal.count() == 1
        r.handle = original  # type: ignore[method-assign]
        server.start()
        deadline = time.monotonic() + 30
        while rt.journal.count() and time.monotonic() < deadline:
            time.sleep(0.1)  # the flusher retries every second
        assert rt.journal.count() == 0
        assert alerts.get(alert.id).status == "delivered"  # type: ignore[union-attr]
        assert RedisPending(client, keys).count() == 0 and sent == []
        rt.run(alert.id, 1)  # the broker hands the unacknowledged task out again
        assert len(r.got) == 1, "a delivered alert was sent twice"
    finally:
        client.close()
        server.stop()
    assert os.path.exists(config.journal)
