"""Story planner cost per article against 1,000, 10,000 and 100,000 open stories in the local Redis.

The same workload as `bench.planner_stories` (see there), on the distributed store: one pipelined
read of the batch's lookups, one of its stories, one commit script. The verdict is on wall time,
since the store's work happens in the Redis server. Uses NEWSWATCH_REDIS_URL (default: the local
server of deploy/local/servers.sh, database 9) under a fresh key prefix, removed afterwards.
Run: `python -m bench.planner_stories_redis [N ...]`.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable
from typing import Any

from bench.planner_stories import SIZES, measure, report
from newswatch.alerts.ports import StoryStore

NEEDS_SERVERS = True


def _redis_url() -> str:
    default = f"redis://127.0.0.1:{os.environ.get('NEWSWATCH_REDIS_PORT', '6379')}/9"
    return os.environ.get("NEWSWATCH_REDIS_URL", default)


def _redis() -> tuple[StoryStore, Any, Callable[[], None]]:
    from newswatch.store.alerts_redis import RedisSubscriptions
    from newswatch.store.alerts_redis_stories import RedisStories
    from newswatch.store.redis import Keys, client_from_url

    client, keys = client_from_url(_redis_url()), Keys(f"newswatch-bench:{uuid.uuid4().hex[:12]}:")

    def close() -> None:
        for chunk in _chunks(client.scan_iter(match=keys.prefix + "*", count=5000), 5000):
            client.delete(*chunk)
        client.close()

    return RedisStories(client, keys), RedisSubscriptions(client, keys), close


def _chunks(items: Any, n: int) -> Any:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sizes = tuple(int(a) for a in args) or SIZES
    return report("Redis", [measure(_redis, n) for n in sizes], "wall_us")


if __name__ == "__main__":
    raise SystemExit(main())
