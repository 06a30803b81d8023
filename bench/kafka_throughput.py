"""Sustained end-to-end throughput through real Kafka, Redis and Celery, each mode in the same run.

    python -m bench kafka_throughput            (or: python -m bench.kafka_throughput --help)

For each mode (kafka_harness: empty, null, analysis, full) the same N articles (real news texts by
default) are published to a fresh 4-partition topic, then `--processes` worker processes in one
group hand them off. Printed per mode: the wall rate (first hand-off to last), the workers' CPU
time per article, the Kafka broker's and Redis's CPU time per article, peak RSS per worker, and
the share of the `empty` mode's rate measured in this run.

Targets (printed, never asserted): the full worker >= 1,000 articles/s and >= 30 % of `empty`
(and of the null kafka-python worker) over >= 20,000 real-text articles on this 2-core machine.
"""

from __future__ import annotations

import argparse

from bench import _texts
from bench.kafka_articles import articles as generated
from bench.kafka_harness import MODES, Result, bootstrap, delete_topics, fresh_topics, publish, run_workers

# needs the local Kafka and Redis (`make bench` starts them after the CPU-bound benchmarks)
NEEDS_SERVERS = True

TARGET_RATE = 1000
TARGET_SHARE = 0.30
TARGET_RSS_MB = 300


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.kafka_throughput", description=__doc__)
    p.add_argument("--articles", type=int, default=20_000, help="how many (default 20000)")
    p.add_argument(
        "--modes", default=",".join(MODES), help=f"comma-separated, in order (default {','.join(MODES)})"
    )
    p.add_argument("--mode", choices=MODES, help="one mode only (the same as --modes MODE)")
    p.add_argument("--processes", type=int, default=2, help="worker processes in the group (default 2)")
    p.add_argument("--generated", action="store_true", help="template articles instead of real text")
    p.add_argument("--size", type=int, default=3000, help="body bytes of a generated article (default 3000)")
    p.add_argument("--max-seconds", type=float, default=600, help="stop a mode after this (default 600)")
    return p.parse_args(argv)


def row(mode: str, r: Result, empty: Result | None, null: Result | None) -> str:
    share = f"{r.rate() / empty.rate():6.1%}" if empty and empty.rate() else "     -"
    of_null = f"{r.rate() / null.rate():6.1%}" if null and null.rate() else "     -"
    servers = (
        f"{r.server_cpu_s / r.count * 1e6:7.0f}" if r.server_cpu_s is not None and r.count else "      -"
    )
    return (
        f"{mode:<9} {r.rate():9,.0f} {r.cpu_us():10,.0f} {servers} {max(r.rss_mb, default=0):7.0f}"
        f"  {share}  {of_null}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    modes = [args.mode] if args.mode else [m.strip() for m in args.modes.split(",") if m.strip()]
    server = bootstrap()
    if args.generated:
        data, what = (
            generated(args.articles, seed=1, size=args.size, prefix="t"),
            "generated template articles",
        )
    else:
        data = _texts.articles(args.articles, prefix="t")
        what = _texts.describe(data)
    print(f"{len(data)} articles: {what}; {args.processes} worker processes, 4 partitions")
    results: dict[str, Result] = {}
    incomplete = []
    for mode in modes:
        topics = fresh_topics(server, f"throughput-{mode}")
        try:
            rate = publish(server, topics.articles, data)
            results[mode] = run_workers(server, topics, mode, args.processes, len(data), args.max_seconds)
        finally:
            delete_topics(server, topics)
        r = results[mode]
        print(f"{mode}: {r.what}; published at {rate:,.0f}/s; handed off {r.count} of {len(data)}")
        if r.count < len(data):
            incomplete.append(mode)
    empty, null = results.get("empty"), results.get("null")
    print("\nmode      articles/s  CPU us/art  Kafka+Redis us/art  RSS MB  of empty  of null")
    for mode, r in results.items():
        print(row(mode, r, empty, null))
    print("(CPU: the worker processes' user+system time per article; Kafka+Redis: the servers' own)")
    full = results.get("full")
    if full:
        checks = [(f"full >= {TARGET_RATE:,} articles/s", full.rate() >= TARGET_RATE)]
        if empty:
            checks.append(
                (f"full >= {TARGET_SHARE:.0%} of empty", full.rate() >= TARGET_SHARE * empty.rate())
            )
        if null:
            checks.append((f"full >= {TARGET_SHARE:.0%} of null", full.rate() >= TARGET_SHARE * null.rate()))
        checks.append((f"peak RSS < {TARGET_RSS_MB} MB per worker", max(full.rss_mb) < TARGET_RSS_MB))
        for name, ok in checks:
            print(f"target: {name}: {'met' if ok else 'NOT met'}")
    if incomplete:
        print(f"INCOMPLETE: {', '.join(incomplete)} stopped after {args.max_seconds:.0f} s")
    return 1 if incomplete else 0


if __name__ == "__main__":
    raise SystemExit(main())
