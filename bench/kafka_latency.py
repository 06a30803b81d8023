"""Latency from publish to hand-off at a paced rate through real Kafka (p50, p99).

    python -m bench kafka_latency            (or: python -m bench.kafka_latency --help)

A separate process publishes generated ~3 KB articles at a steady rate (default 200/s for 30 s),
stamping each with its send time in `metadata.sent_ns`. One in-process worker consumes them; an
article's latency ends when the producer flush after its hand-off returned, i.e. when its analysis
(and any alert) is durable in Kafka and its offset is about to be committed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import time

from bench.kafka_articles import article
from bench.kafka_harness import (
    bootstrap,
    delete_topics,
    fresh_topics,
    in_process_worker,
    load_pipeline,
    percentile,
)
from newswatch.transport.kafka import KafkaQueueProducer


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.kafka_latency", description=__doc__)
    p.add_argument("--rate", type=float, default=200.0, help="articles/s (default 200)")
    p.add_argument("--seconds", type=float, default=30.0, help="how long to publish (default 30)")
    p.add_argument("--size", type=int, default=3000, help="body bytes per article (default 3000)")
    p.add_argument("--analyzer", choices=("real", "empty"), default="real", help="default real")
    return p.parse_args(argv)


def paced_publisher(server: str, topic: str, rate: float, count: int, size: int) -> None:
    """Runs in its own process: send `count` articles on a fixed schedule, each stamped on send."""
    rng = random.Random(5)
    bodies = [article(i, rng, size, prefix="lat") for i in range(count)]
    producer = KafkaQueueProducer(server, client_id="bench-paced")
    start = time.perf_counter()
    for i, obj in enumerate(bodies):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        obj["metadata"] = {"sent_ns": time.time_ns()}
        producer.produce(topic, json.dumps(obj).encode(), str(obj["id"]).encode())
    producer.flush()
    producer.close()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    server = bootstrap()
    pipeline, what = load_pipeline(args.analyzer)
    topics = fresh_topics(server, "latency")
    count = int(args.rate * args.seconds)
    try:
        worker, clock = in_process_worker(server, topics, pipeline)
        spawn = multiprocessing.get_context("spawn")
        sender = spawn.Process(
            target=paced_publisher, args=(server, topics.articles, args.rate, count, args.size)
        )
        sender.start()
        deadline = time.monotonic() + args.seconds + 60
        while worker.processed < count and time.monotonic() < deadline:
            worker.step()
        sender.join(30)
        worker.stop.set()
        worker.run()
        clock.close()
    finally:
        delete_topics(server, topics)
    latencies = [(done - a.metadata["sent_ns"]) / 1e6 for a, done in clock.done]
    print(f"analysis: {what}")
    print(f"{len(latencies)} of {count} articles at {args.rate:.0f}/s over {args.seconds:.0f} s")
    if latencies:
        p50, p90, p99 = (percentile(latencies, q) for q in (50, 90, 99))
        figures = f"p50 {p50:.1f} ms, p90 {p90:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms"
        print(f"publish -> hand-off latency: {figures}")
    return 0 if len(latencies) == count else 1


if __name__ == "__main__":
    raise SystemExit(main())
