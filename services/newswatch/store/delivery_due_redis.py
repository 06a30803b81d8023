"""Due retries held by the app in Redis (distributed runner).

Waits longer than a Celery countdown may safely be (see `countdown_max`) are
parked in a sorted set scored by due time. `move_due` sends the due ones to
the retry queue: it sends first and removes after, so a crash in between
duplicates rather than loses (receivers dedupe on `webhook-id`); a short
lock keeps several movers from sending the same entry twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis

from newswatch.store.redis import Keys

BATCH = 500


class RedisDueDeliveries:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._r = client
        self._zset = keys("delivery", "due")
        self._lock = keys("delivery", "due", "lock")

    def add(self, alert_id: str, attempt: int, due_at: float) -> None:
        self._r.zadd(self._zset, {json.dumps([alert_id, attempt]): due_at})

    def count(self) -> int:
        return int(self._r.zcard(self._zset))

    def move_due(self, now: float, send: Callable[[str, int], None], lock_ttl: int = 30) -> int:
        """Send every entry due at `now` via `send(alert_id, attempt)`; returns how many moved.

        Returns 0 without doing anything while another mover holds the lock.
        """
        if not self._r.set(self._lock, "1", nx=True, ex=lock_ttl):
            return 0
        try:
            members: list[Any] = list(self._r.zrangebyscore(self._zset, "-inf", now, start=0, num=BATCH))
            for member in members:
                alert_id, attempt = json.loads(member)
                send(alert_id, int(attempt))
                self._r.zrem(self._zset, member)
            return len(members)
        finally:
            self._r.delete(self._lock)
