"""Latency from publish to alert hand-off at paced rates through real Kafka, Redis and Celery.

    python -m bench kafka_latency            (or: python -m bench.kafka_latency --help)

For each rate (200 and 800 articles/s by default) a separate process publishes real news texts
(or `--generated` ones) at that steady rate for `--seconds`, while `--processes` workers of the
mode (default full, see kafka_harness) consume them. An article's latency runs from just before
its send to the return of the commit of its batch: by then its analysis is produced and its alerts
are stored and enqueued. Prints p50/p90/p99/max per rate beside the workers' CPU time per article.

Targets (printed, never asserted): p99 < 1 s at 200/s and p99 < 2 s at 800/s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from multiprocessing.queues import Queue
from typing import Any

from bench.kafka_harness import MODES, bootstrap, delete_topics, fresh_topics, percentile, run_workers
from newswatch.transport.kafka import KafkaQueueProducer

# needs the local Kafka and Redis (`make bench` starts them after the CPU-bound benchmarks)
NEEDS_SERVERS = True

TARGETS_MS = {200.0: 1000.0, 800.0: 2000.0}


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.kafka_latency", description=__doc__)
    p.add_argument("--rates", default="200,800", help="articles/s, comma-separated (default 200,800)")
    p.add_argument("--seconds", type=float, default=30.0, help="how long to publish per rate (default 30)")
    p.add_argument("--mode", choices=MODES, default="full", help="what the workers run (default full)")
    p.add_argument("--processes", type=int, default=2, help="worker processes in the group (default 2)")
    p.add_argument("--generated", action="store_true", help="template articles instead of real text")
    return p.parse_args(argv)


def paced_publisher(
    server: str, topic: str, rate: float, messages: list[tuple[str, bytes]], sent: Queue
) -> None:
    """Runs in its own process: send the messages on a fixed schedule; put {id: sent ns}."""
    producer = KafkaQueueProducer(server, client_id="bench-paced", linger_ms=0)
    times: dict[str, int] = {}
    start = time.perf_counter()
    for i, (article_id, body) in enumerate(messages):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)  # the schedule itself
        times[article_id] = time.time_ns()
        producer.produce(topic, body, article_id.encode())
        producer.flush()  # each article leaves now, as a client posting one at a time would
    producer.close()
    sent.put(times)


def messages(count: int, rate: float, generated: bool) -> list[tuple[str, bytes]]:
    prefix = f"lat{rate:.0f}"
    if generated:
        from bench.kafka_articles import articles

        raw = articles(count, seed=5, prefix=prefix)
    else:
        from bench import _texts

        raw = _texts.articles(count, prefix=prefix)
    return [(f"{prefix}-{i}", body) for i, body in enumerate(raw)]


def one_rate(server: str, args: argparse.Namespace, rate: float) -> tuple[list[float], Any]:
    count = int(rate * args.seconds)
    topics = fresh_topics(server, f"latency-{rate:.0f}")
    spawn = multiprocessing.get_context("spawn")
    sent = spawn.Queue()
    sender = spawn.Process(
        target=paced_publisher,
        args=(server, topics.articles, rate, messages(count, rate, args.generated), sent),
    )
    try:
        result = run_workers(
            server, topics, args.mode, args.processes, count, args.seconds + 120, while_running=sender.start
        )
        times = sent.get(timeout=120)
        sender.join(30)
    finally:
        delete_topics(server, topics)
    stamps = dict(result.stamps)
    return [(stamps[i] - t) / 1e6 for i, t in times.items() if i in stamps], result


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    server = bootstrap()
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    status = 0
    lines = []
    for rate in rates:
        latencies, result = one_rate(server, args, rate)
        count = int(rate * args.seconds)
        print(f"{rate:.0f}/s: {result.what}; {len(latencies)} of {count} articles handed off")
        if len(latencies) < count:
            status = 1
        if not latencies:
            continue
        p50, p90, p99 = (percentile(latencies, q) for q in (50, 90, 99))
        lines.append(
            f"{rate:6.0f}/s  p50 {p50:7.0f} ms  p90 {p90:7.0f} ms  p99 {p99:7.0f} ms"
            f"  max {max(latencies):7.0f} ms  CPU {result.cpu_us():6,.0f} us/article"
        )
        target = TARGETS_MS.get(rate)
        if target is not None:
            verdict = "met" if p99 < target and len(latencies) >= count else "NOT met"
            lines.append(f"target: p99 < {target / 1000:.0f} s at {rate:.0f}/s: {verdict}")
    print(f"\npublish -> alert hand-off latency, {args.mode} mode, {args.processes} worker processes:")
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
