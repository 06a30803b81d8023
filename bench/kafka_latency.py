"""Latency from publish to hand-off at a paced rate through real Kafka (p50, p99).

    python -m bench kafka_latency            (or: python -m bench.kafka_latency --help)

A separate process publishes generated ~3 KB articles at a steady rate (default 200/s for 30 s)
and reports when it sent each. One in-process worker consumes them (see kafka_harness for the
modes); an article's latency ends when the producer flush after its analysis was produced and its
alerts were handed off returned, i.e. when all it produced is durable and its offset can commit.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import time
from multiprocessing.queues import Queue

from bench.kafka_articles import article
from bench.kafka_harness import MODES, bootstrap, delete_topics, fresh_topics, in_process_worker, percentile
from newswatch.transport.kafka import KafkaQueueProducer

# needs the local Kafka and Redis (`make bench` starts them after the CPU-bound benchmarks)
NEEDS_SERVERS = True


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.kafka_latency", description=__doc__)
    p.add_argument("--rate", type=float, default=200.0, help="articles/s (default 200)")
    p.add_argument("--seconds", type=float, default=30.0, help="how long to publish (default 30)")
    p.add_argument("--size", type=int, default=3000, help="body bytes per article (default 3000)")
    p.add_argument("--mode", choices=MODES, default="full", help="what the worker runs (default full)")
    return p.parse_args(argv)


def paced_publisher(server: str, topic: str, rate: float, count: int, size: int, sent: Queue) -> None:  # type: ignore[type-arg]
    """Runs in its own process: send `count` articles on a fixed schedule; put {id: sent ns}."""
    import json

    rng = random.Random(5)
    bodies = [json.dumps(article(i, rng, size, prefix="lat")).encode() for i in range(count)]
    producer = KafkaQueueProducer(server, client_id="bench-paced")
    times: dict[str, int] = {}
    start = time.perf_counter()
    for i, body in enumerate(bodies):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        times[f"lat-{i}"] = time.time_ns()
        producer.produce(topic, body, f"lat-{i}".encode())
    producer.flush()
    producer.close()
    sent.put(times)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    server = bootstrap()
    topics = fresh_topics(server, "latency")
    count = int(args.rate * args.seconds)
    spawn = multiprocessing.get_context("spawn")
    sent = spawn.Queue()
    try:
        bench = in_process_worker(server, topics, args.mode)
        sender = spawn.Process(
            target=paced_publisher, args=(server, topics.articles, args.rate, count, args.size, sent)
        )
        sender.start()
        bench.run_until(count, timeout_s=args.seconds + 120)
        times = sent.get(timeout=60)
        sender.join(30)
    finally:
        delete_topics(server, topics)
    latencies = [(done - times[i]) / 1e6 for i, done in bench.stamps.done if i in times]
    print(f"worker: {bench.what}")
    print(f"{len(latencies)} of {count} articles at {args.rate:.0f}/s over {args.seconds:.0f} s")
    if latencies:
        p50, p90, p99 = (percentile(latencies, q) for q in (50, 90, 99))
        figures = f"p50 {p50:.1f} ms, p90 {p90:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms"
        print(f"publish -> hand-off latency: {figures}")
    return 0 if len(latencies) >= count else 1


if __name__ == "__main__":
    raise SystemExit(main())
