"""Sustained end-to-end throughput through real Kafka: articles/s from `articles` to hand-off.

    python -m bench kafka_throughput            (or: python -m bench.kafka_throughput --help)

Publishes N generated ~3 KB articles to a fresh 4-partition topic first, then runs one in-process
worker over them (see kafka_harness for the modes). The rate counts from the end of the first
batch to the end of the last, so the group join is not included; the median of per-2,000-article
windows is printed beside it.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.kafka_articles import articles
from bench.kafka_harness import MODES, bootstrap, delete_topics, fresh_topics, in_process_worker
from newswatch.transport.kafka import KafkaQueueProducer

# needs the local Kafka and Redis (`make bench` starts them after the CPU-bound benchmarks)
NEEDS_SERVERS = True

WINDOW = 2000


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.kafka_throughput", description=__doc__)
    p.add_argument("--articles", type=int, default=20_000, help="how many (default 20000)")
    p.add_argument("--size", type=int, default=3000, help="body bytes per article (default 3000)")
    p.add_argument("--mode", choices=MODES, default="full", help="what the worker runs (default full)")
    p.add_argument("--max-seconds", type=float, default=300, help="stop the worker after this (default 300)")
    return p.parse_args(argv)


def publish(server: str, topic: str, messages: list[bytes]) -> float:
    """Produce and flush everything; return messages/s."""
    producer = KafkaQueueProducer(server, client_id="bench-publish")
    start = time.perf_counter()
    for i, m in enumerate(messages):
        producer.produce(topic, m, str(i).encode())
    producer.flush()
    elapsed = time.perf_counter() - start
    producer.close()
    return len(messages) / elapsed


def window_rates(stamps_ns: list[int]) -> list[float]:
    return [
        WINDOW / ((stamps_ns[i + WINDOW] - stamps_ns[i]) / 1e9)
        for i in range(0, len(stamps_ns) - WINDOW, WINDOW)
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    server = bootstrap()
    topics = fresh_topics(server, "throughput")
    try:
        data = articles(args.articles, seed=1, size=args.size, prefix="t")
        published = publish(server, topics.articles, data)
        print(
            f"published {len(data)} articles of ~{sum(map(len, data)) // len(data)} B at {published:,.0f}/s"
        )
        bench = in_process_worker(server, topics, args.mode)
        bench.run_until(len(data), timeout_s=args.max_seconds)
    finally:
        delete_topics(server, topics)
    stamps = sorted(ns for _id, ns in bench.stamps.done)
    first_batch = sum(1 for ns in stamps if ns == stamps[0])
    rate = (len(stamps) - first_batch) / ((stamps[-1] - stamps[0]) / 1e9)
    windows = window_rates(stamps)
    print(f"worker: {bench.what}")
    note = "" if len(stamps) >= len(data) else f" (INCOMPLETE: stopped after {args.max_seconds:.0f} s)"
    print(
        f"handed off {len(stamps)} of {len(data)} articles{note}; sustained {rate:,.0f} articles/s end to end"
    )
    if windows:
        print(f"per-{WINDOW} windows: median {statistics.median(windows):,.0f}/s, min {min(windows):,.0f}/s")
    return 0 if len(stamps) >= len(data) else 1


if __name__ == "__main__":
    raise SystemExit(main())
