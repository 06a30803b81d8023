"""Embedded delivery throughput and enqueue-to-receipt latency against a local HTTP receiver.

`python -m bench delivery_embedded`: N alerts through the in-process pool (SQLite stores and due
table, httpx, Standard Webhooks signing) to a ThreadingHTTPServer on 127.0.0.1 that answers 200.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newswatch.alerts.ports import AlertRecord, Filters, Subscription, Webhook
from newswatch.delivery.config import DeliveryConfig
from newswatch.delivery.policy.ssrf import SsrfPolicy
from newswatch.delivery.runners.wiring import embedded_delivery
from newswatch.store.alerts_sqlite import SQLiteAlerts, SQLiteSubscriptions
from newswatch.store.sqlite import SQLiteDB

N = 500
SECRET = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
EXAMPLE = Path(__file__).resolve().parents[1] / "schemas" / "examples" / "alert.v1.detected.json"


def _receiver(arrivals: dict[str, float]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            arrivals[self.headers["webhook-id"]] = time.perf_counter()
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    arrivals: dict[str, float] = {}
    server = _receiver(arrivals)
    with tempfile.TemporaryDirectory() as tmp:
        db = SQLiteDB(Path(tmp) / "bench.sqlite3")
        subs, alerts = SQLiteSubscriptions(db), SQLiteAlerts(db)
        url = f"http://127.0.0.1:{server.server_port}/hook"
        sub = subs.create(Subscription("sub_bench", "t", "bench", Filters(), Webhook(url), SECRET))
        payload = json.loads(EXAMPLE.read_text())
        ids = [f"alt_bench_{i}" for i in range(N)]
        for alert_id in ids:
            alerts.put(AlertRecord(alert_id, sub.id, "t", "story.detected", "sty", 0, payload))
        config = DeliveryConfig(concurrency=4, ssrf=SsrfPolicy(allow_private=True))
        dispatcher, _ = embedded_delivery(db, subs, alerts, config)
        enqueued: dict[str, float] = {}
        start = time.perf_counter()
        for alert_id in ids:
            enqueued[alert_id] = time.perf_counter()
            dispatcher.enqueue(alert_id)
        while len(arrivals) < N and time.perf_counter() - start < 120:
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
        single = _one_at_a_time(dispatcher, alerts, sub.id, payload, arrivals)
        dispatcher.close()
        db.close()
    server.shutdown()
    lat = sorted(arrivals[i] - enqueued[i] for i in ids if i in arrivals)
    print(f"alerts delivered      {len(lat)}/{N} in {elapsed:.2f} s, concurrency 4")
    print(f"throughput            {len(lat) / elapsed:.0f} deliveries/s")
    print(
        f"enqueue->receipt p50  {lat[len(lat) // 2] * 1000:.1f} ms (all enqueued at once: includes queueing)"
    )
    print(f"enqueue->receipt p99  {lat[int(len(lat) * 0.99)] * 1000:.1f} ms")
    print(
        f"idle pool, one alert  p50 {single[len(single) // 2] * 1000:.1f} ms, max {single[-1] * 1000:.1f} ms"
    )
    return 0 if len(arrivals) == N + SINGLES else 1


SINGLES = 20


def _one_at_a_time(dispatcher, alerts, sub_id, payload, arrivals) -> list[float]:  # type: ignore[no-untyped-def]
    """Enqueue-to-receipt of single alerts on an idle pool (what one article's alert waits)."""
    out = []
    for i in range(SINGLES):
        alert_id = f"alt_single_{i}"
        alerts.put(AlertRecord(alert_id, sub_id, "t", "story.detected", "sty", 0, payload))
        t0 = time.perf_counter()
        dispatcher.enqueue(alert_id)
        while alert_id not in arrivals and time.perf_counter() - t0 < 10:
            time.sleep(0.0005)
        out.append(arrivals.get(alert_id, float("inf")) - t0)
    return sorted(out)
