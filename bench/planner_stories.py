"""Story planner cost per article against 1,000, 10,000 and 100,000 open stories (SQLite store).

Target: flat, within 1.5x from 1,000 to 100,000 open stories. Each run fills a fresh
store with N open stories (one member each, under 5,000 blocking keys: 10 event types at 500
places, so 100,000 stories put 20 on every key), then plans 1,000 generated articles in batches
of 100 (as a worker's poll) with six subscriptions: every article shares a blocking key with
N/5,000 open stories and joins one. The figure is the whole `StoryPlanner.plan_batch`: MinHash,
the batch's read, the pure plan and the atomic commit. `bench.planner_stories_redis` runs the same
against the local Redis.
Run: `python -m bench.planner_stories [N ...]`.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from newswatch.alerts.planner import PlannerConfig, StoryPlanner
from newswatch.alerts.ports import Changes, Filters, Member, StoryStore, StoryWrite, Subscription, Webhook
from newswatch.domain.model import (
    Analysis,
    Article,
    Event,
    EventType,
    Evidence,
    Location,
    RegionMention,
    Topic,
    TopicScore,
)

SIZES = (1_000, 10_000, 100_000)
TYPES = tuple(EventType)[:10]
PLACES = tuple(f"UA-{n:03d}" for n in range(500))
WORDS = tuple(f"w{n}" for n in range(5_000))
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ARTICLES, BATCH = 1_000, 100
TARGET_RATIO = 1.5


def fill(store: StoryStore, n: int, rng: random.Random, chunk: int = 2_000) -> None:
    """N open stories, each one member, seen within the last 6 hours (inside the 12 h window)."""
    for start in range(0, n, chunk):
        changes = Changes()
        for i in range(start, min(n, start + chunk)):
            at = NOW - timedelta(minutes=rng.randrange(1, 360))
            key = f"{rng.choice(TYPES).value}@{rng.choice(PLACES)}"
            sid, aid = f"sty_b{i}", f"old{i}"
            bands = tuple(f"b:{b}:{rng.getrandbits(64):016x}" for b in range(16))
            member = Member(
                aid,
                f"outlet{i % 300}",
                aid,
                "t",
                None,
                None,
                tuple(rng.getrandbits(32) for _ in range(64)),
                at,
                (_event_dict(key.split("@")[0], aid),),
                {"conflict": 0.8},
                ("UA",),
            )
            w = StoryWrite(sid, 0, at, at, (key,), (f"k:{key}", *bands), [member], {aid: aid})
            changes.stories[sid] = w
        store.commit(changes)


def _event_dict(kind: str, article_id: str) -> dict[str, Any]:
    return {
        "type": kind,
        "confidence": 0.8,
        "rule": f"{kind}.bench",
        "evidence": {"sentence": "Bench evidence.", "article_id": article_id},
        "location": {"country": "UA", "subdivision": None, "place": None},
        "attributes": {},
    }


def articles(rng: random.Random, n: int) -> list[tuple[Article, Analysis]]:
    out = []
    for i in range(n):
        kind, place = rng.choice(TYPES), rng.choice(PLACES)
        text = " ".join(rng.choice(WORDS) for _ in range(80))
        sentence = "Bench evidence sentence."
        event = Event(
            kind,
            0.8,
            f"{kind.value}.bench",
            Evidence(sentence, 0, len(sentence)),
            Location("UA", place, None),
        )
        regions = (RegionMention("UA", "Ukraine", 0.9), RegionMention(place, place, 0.8))
        analysis = Analysis(f"new{i}", (TopicScore(Topic("conflict"), 0.8),), regions, (event,))
        out.append((Article(f"new{i}", text, source=f"outlet{i % 50}"), analysis))
    return out


def subscriptions() -> list[Subscription]:
    hook = Webhook("https://hooks.example.com/x")
    picks = [(TYPES[0],), (TYPES[1], TYPES[2]), (), (TYPES[3],), (TYPES[4],), (TYPES[5],)]
    return [
        Subscription(
            f"sub_{i}",
            "bench",
            f"s{i}",
            Filters(event_types=tuple(t.value for t in ts), regions=("UA",)),
            hook,
            "whsec_x",
        )
        for i, ts in enumerate(picks)
    ]


def measure(make_store: Callable[[], tuple[StoryStore, Any, Callable[[], None]]], n: int) -> dict[str, float]:
    """us per article of plan_batch over a store holding `n` open stories."""
    rng = random.Random(n)
    stories, subs, close = make_store()
    try:
        t = time.perf_counter()
        fill(stories, n, rng)
        filled_s = time.perf_counter() - t
        for s in subscriptions():
            subs.create(s)
        planner = StoryPlanner(subs, stories, PlannerConfig(refresh_interval=timedelta(hours=1)))
        batch = articles(rng, ARTICLES)
        planner.plan_batch(batch[:BATCH], NOW)  # warm-up: caches, the subscription index
        wall, cpu = time.perf_counter(), time.process_time()
        alerts = 0
        for start in range(BATCH, ARTICLES, BATCH):
            alerts += sum(len(d) for d in planner.plan_batch(batch[start : start + BATCH], NOW))
        measured = ARTICLES - BATCH
        return {
            "stories": n,
            "wall_us": (time.perf_counter() - wall) / measured * 1e6,
            "cpu_us": (time.process_time() - cpu) / measured * 1e6,
            "alerts": alerts,
            "conflicts": planner.conflicts,
            "fill_s": filled_s,
        }
    finally:
        close()


def report(name: str, results: Sequence[dict[str, float]], by: str) -> int:
    """Print each size and the ratio of the largest to the smallest; the verdict on `by` (cpu_us for
    an in-process store, whose work is our CPU time; wall_us for a server)."""
    for r in results:
        print(
            f"planner ({name}): {int(r['stories']):>7,} open stories: wall {r['wall_us']:7.1f} us/article, "
            f"CPU {r['cpu_us']:7.1f} us/article ({int(r['alerts'])} alerts, {int(r['conflicts'])} conflicts; "
            f"filled in {r['fill_s']:.1f} s)",
            flush=True,
        )
    first, last = results[0], results[-1]
    ratio = last[by] / first[by]
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(
        f"planner ({name}): {int(last['stories']):,} vs {int(first['stories']):,} open stories: "
        f"CPU {last['cpu_us'] / first['cpu_us']:.2f}x, "
        f"wall {last['wall_us'] / first['wall_us']:.2f}x per article; "
        f"target <= {TARGET_RATIO}x ({'CPU' if by == 'cpu_us' else 'wall'}): {verdict}"
    )
    return 0 if ratio <= TARGET_RATIO else 1


def _sqlite() -> tuple[StoryStore, Any, Callable[[], None]]:
    import tempfile
    from pathlib import Path

    from newswatch.store.alerts_sqlite import SQLiteSubscriptions
    from newswatch.store.alerts_sqlite_stories import SQLiteStories
    from newswatch.store.sqlite import SQLiteDB

    tmp = tempfile.TemporaryDirectory()
    db = SQLiteDB(Path(tmp.name) / "bench.sqlite3")

    def close() -> None:
        db.close()
        tmp.cleanup()

    return SQLiteStories(db), SQLiteSubscriptions(db), close


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sizes = tuple(int(a) for a in args) or SIZES
    return report("SQLite", [measure(_sqlite, n) for n in sizes], "cpu_us")


if __name__ == "__main__":
    raise SystemExit(main())
