"""Celery prefork delivery workers export correctly through multiprocess mode.

A real `newswatch delivery --pool prefork` on real Redis delivers alerts to a
real HTTP receiver from forked children; the parent's /metrics must show the
children's counts merged into one series (no per-pid duplicates), and
Prometheus must read them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newswatch.delivery.runners.wiring import celery_dispatcher
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.redis import Keys, client_from_url
from tests.integration._prometheus import free_port, http_get, prometheus_factory, query, stop, wait_for
from tests.integration.test_delivery_helpers import Receiver, make_alert, make_subscription, receiver_factory

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
ALERTS = 6


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from receiver_factory()


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[Callable[..., str]]:
    yield from prometheus_factory(tmp_path)


@pytest.fixture
def prefork_delivery(tmp_path: Path, redis_url: str) -> Iterator[dict[str, str]]:
    prefix = f"newswatch-test:{uuid.uuid4().hex[:12]}:"
    env = {
        **os.environ,
        "NEWSWATCH_REDIS_URL": redis_url,
        "NEWSWATCH_REDIS_PREFIX": prefix,
        "NEWSWATCH_METRICS_PORT": str(free_port()),
        "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
        # set before the interpreter starts, as prometheus_client requires
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "multiproc"),
    }
    log = (tmp_path / "delivery.log").open("w")
    cmd = [sys.executable, "-m", "newswatch", "delivery", "--pool", "prefork", "--concurrency", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: b"ready." in (tmp_path / "delivery.log").read_bytes(), 60, "celery ready")
        assert proc.poll() is None
        yield env
    finally:
        stop(proc)
        log.close()
        client = client_from_url(redis_url)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def test_prefork_children_metrics_are_merged_and_scraped(
    prefork_delivery: dict[str, str], receiver: Callable[..., Receiver], prometheus: Callable[..., str]
) -> None:
    env = prefork_delivery
    client, keys = client_from_url(env["NEWSWATCH_REDIS_URL"]), Keys(env["NEWSWATCH_REDIS_PREFIX"])
    subs, alerts = RedisSubscriptions(client, keys), RedisAlerts(client, keys)
    dispatcher = celery_dispatcher(env)
    r = receiver(200)
    try:
        for _ in range(ALERTS):
            sub = make_subscription(r.url, r.secret)
            subs.create(sub)
            alert = make_alert(sub)
            assert alerts.put(alert)
            dispatcher.enqueue(alert.id)
        assert len(r.wait_for(ALERTS, timeout=30)) == ALERTS
    finally:
        dispatcher.close()
        client.close()

    target = f"127.0.0.1:{env['NEWSWATCH_METRICS_PORT']}"
    delivered = 'newswatch_deliveries_total{outcome="delivered",status_class="2xx"}'
    # the last child may record its count just after the receiver answered: wait for all
    wait_for(lambda: _values(text_of(target), delivered) == [ALERTS], 20, "children's deliveries on /metrics")
    text = text_of(target)
    assert _values(text, delivered) == [ALERTS]  # summed over children, one series
    assert "pid=" not in text  # no per-process gauge series leak out

    prom = prometheus(target, job="newswatch-delivery")
    wait_for(lambda: query(prom, f"sum({delivered})") == ALERTS, 20, "prometheus sees the deliveries")
    assert query(prom, "count(newswatch_build_info)") == 1


def text_of(target: str) -> str:
    return http_get(f"http://{target}/metrics").decode()


def _values(text: str, series: str) -> list[float]:
    return [float(x.split()[-1]) for x in text.splitlines() if x.startswith(series + " ")]
