"""Distributed delivery: a real `newswatch delivery` worker (threads) on the local Redis.

`python -m bench delivery_celery`: N alerts enqueued through `CeleryDispatcher` to a local
receiver; prints throughput and the idle-worker enqueue-to-receipt latency. Needs the local
Redis (`make servers-up`); uses its own key prefix and removes it afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.delivery_embedded import EXAMPLE, SECRET, _receiver
from newswatch.alerts.ports import AlertRecord, Filters, Subscription, Webhook
from newswatch.delivery.runners.wiring import celery_dispatcher
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.redis import Keys, client_from_url

# needs the local Kafka and Redis (`make bench` starts them after the CPU-bound benchmarks)
NEEDS_SERVERS = True

N = 300
SINGLES = 20
CONCURRENCY = 8


def main() -> int:
    prefix = f"newswatch-bench:{uuid.uuid4().hex[:8]}:"
    env = {
        **os.environ,
        "NEWSWATCH_REDIS_URL": os.environ.get("NEWSWATCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "NEWSWATCH_REDIS_PREFIX": prefix,
        "NEWSWATCH_WEBHOOK_ALLOWED_SUBNETS": "127.0.0.1/32",
    }
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "worker.log"
        with out.open("wb") as sink:
            cmd = [sys.executable, "-m", "newswatch", "delivery", "--concurrency", str(CONCURRENCY)]
            proc = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            return _run(env, out)
        finally:
            proc.terminate()
            proc.wait(30)
            _cleanup(env["NEWSWATCH_REDIS_URL"], prefix)


def _run(env: dict[str, str], log: Path) -> int:
    deadline = time.time() + 60
    while b"ready." not in log.read_bytes() and time.time() < deadline:
        time.sleep(0.1)
    arrivals: dict[str, float] = {}
    server = _receiver(arrivals)
    client, keys = client_from_url(env["NEWSWATCH_REDIS_URL"]), Keys(env["NEWSWATCH_REDIS_PREFIX"])
    subs, alerts = RedisSubscriptions(client, keys), RedisAlerts(client, keys)
    url = f"http://127.0.0.1:{server.server_port}/hook"
    sub = subs.create(Subscription("sub_bench", "t", "bench", Filters(), Webhook(url), SECRET))
    payload = json.loads(EXAMPLE.read_text())
    ids = [f"alt_bench_{i}" for i in range(N + SINGLES)]
    for alert_id in ids:
        alerts.put(AlertRecord(alert_id, sub.id, "t", "story.detected", "sty", 0, payload))
    dispatcher = celery_dispatcher(env)
    single = []
    for alert_id in ids[N:]:
        t0 = time.perf_counter()
        dispatcher.enqueue(alert_id)
        while alert_id not in arrivals and time.perf_counter() - t0 < 10:
            time.sleep(0.0005)
        single.append(arrivals.get(alert_id, float("inf")) - t0)
    start = time.perf_counter()
    for alert_id in ids[:N]:
        dispatcher.enqueue(alert_id)
    while len(arrivals) < N + SINGLES and time.perf_counter() - start < 120:
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    dispatcher.close()
    server.shutdown()
    client.close()
    single.sort()
    print(
        f"alerts delivered      {len(arrivals) - SINGLES}/{N} in {elapsed:.2f} s, threads pool x{CONCURRENCY}"
    )
    print(f"throughput            {(len(arrivals) - SINGLES) / elapsed:.0f} deliveries/s")
    print(
        f"idle worker, one alert p50 {single[len(single) // 2] * 1000:.1f} ms, max {single[-1] * 1000:.1f} ms"
    )
    return 0 if len(arrivals) == N + SINGLES else 1


def _cleanup(url: str, prefix: str) -> None:
    client = client_from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
