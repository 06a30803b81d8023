"""The story planner alone on real news text: CPU time per article of `StoryPlanner.plan_batch`.

The real texts (bench/_texts.py) are analysed once, untimed; then the planner plans them in
batches of 100 (a worker's poll) against a fresh store with the Kafka benchmarks' six
subscriptions, as `newswatch worker` does, timing only `plan_batch` (MinHash, the batch's read,
the pure plan, the atomic commit). The texts repeat, as in the Kafka benchmarks, so stories grow
members the way wire copies make them grow. Without the noise of Kafka and of the analysis, this
is the figure to compare before and after a planner change.
Run: `python -m bench.planner_real [N_ARTICLES] [--store redis|sqlite]` (redis: the local server of
deploy/local/servers.sh, database 9, under a fresh key prefix removed afterwards).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import _texts
from bench.kafka_harness import BENCH_SUBSCRIPTIONS
from bench.planner_stories import _sqlite
from bench.planner_stories_redis import _redis
from newswatch.alerts.planner import PlannerConfig, StoryPlanner
from newswatch.alerts.ports import Filters, Subscription, Webhook
from newswatch.analysis.engine import Analyzer
from newswatch.contracts.articles import decode_article

BATCH = 100
NEEDS_SERVERS = True  # the default store is the local Redis


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.planner_real", description=__doc__)
    p.add_argument("n", type=int, nargs="?", default=4000, help="articles (default 4000)")
    p.add_argument("--store", choices=("redis", "sqlite"), default="redis")
    args = p.parse_args(argv)
    analyzer = Analyzer.load()
    articles = [decode_article(raw) for raw in _texts.articles(args.n, prefix="plan")]
    pairs = [(a, analyzer.analyze(a)) for a in articles]
    stories, subs, close = (_redis if args.store == "redis" else _sqlite)()
    try:
        for sub_id, regions, events in BENCH_SUBSCRIPTIONS:
            filters = Filters(event_types=events, regions=regions)
            hook = Webhook(f"https://hooks.example/{sub_id}")
            subs.create(Subscription(sub_id, "bench", sub_id, filters, hook, "whsec_YmVuY2hzZWNyZXQ="))
        planner = StoryPlanner(subs, stories, PlannerConfig())
        now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        cpu = wall = 0.0
        alerts = 0
        for i, start in enumerate(range(0, len(pairs), BATCH)):
            at = now + timedelta(seconds=i)
            w, c = time.perf_counter(), time.process_time()
            drafts: Any = planner.plan_batch(pairs[start : start + BATCH], at)
            cpu += time.process_time() - c
            wall += time.perf_counter() - w
            alerts += sum(len(d) for d in drafts)
        n = len(pairs)
        print(
            f"planner on real text ({args.store}): {n} articles in batches of {BATCH}: "
            f"CPU {cpu / n * 1e6:,.0f} us/article, wall {wall / n * 1e6:,.0f} us/article, "
            f"{alerts} alerts, {planner.conflicts} conflicts"
        )
    finally:
        close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
