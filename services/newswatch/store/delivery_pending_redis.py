"""Open deliveries of the distributed runner: which attempt each alert waits for, until when.

Every alert handed to Celery is "open" from its enqueue until an outcome ends it (delivered,
given up, exhausted, blocked, skipped). Two Redis structures, keyed by alert id (= webhook-id):

- `delivery:open` (sorted set): the time after which an open alert counts as stale: its task
  was lost (a worker, Redis or a host died at the wrong moment). The sweeper re-queues those.
- `delivery:open:attempt` (hash): the attempt the alert waits for. A task for any other attempt
  is a duplicate (a redelivered message, a sweep that raced the real task) and is dropped.

`begin`/`end` guard one attempt: a short lock per alert, so two copies of the same task never
POST at once. The lock expires by itself, so a worker killed mid-POST holds it only briefly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from newswatch.store.redis import Keys

# KEYS: open zset, attempt hash, lock. ARGV: alert id, attempt, token, lease ms.
# Returns -1 when the alert waits for another attempt, 1 when the lock was taken, else -2 - ms left.
_BEGIN = """
local want = redis.call('HGET', KEYS[2], ARGV[1])
if want and tonumber(want) ~= tonumber(ARGV[2]) then return -1 end
if redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[4]) then return 1 end
return -2 - math.max(redis.call('PTTL', KEYS[3]), 0)
"""

# KEYS: open zset, attempt hash. ARGV: alert id, finished attempt, next attempt (0: none), deadline.
# Moves the alert on only from the attempt that finished (or when already moved: a re-applied
# outcome), so a replay that reset it to attempt 1 meanwhile keeps its own chain. 1 if it moved.
_ADVANCE = """
local want = redis.call('HGET', KEYS[2], ARGV[1])
if want and want ~= ARGV[2] and want ~= ARGV[3] then return 0 end
if ARGV[3] == '0' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
end
return 1
"""

_END = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class Begun:
    """`go`: attempt it; else `superseded` (drop the task) or busy for `busy_s` more seconds."""

    go: bool
    superseded: bool = False
    busy_s: float = 0.0


class RedisPending:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._r, self._k = client, keys
        self._open, self._attempt = keys("delivery", "open"), keys("delivery", "open", "attempt")
        self._begin = client.register_script(_BEGIN)
        self._advance = client.register_script(_ADVANCE)
        self._end = client.register_script(_END)

    def _lock(self, alert_id: str) -> str:
        return self._k("delivery", "inflight", alert_id)

    def track(self, alert_id: str, attempt: int, stale_at: float) -> None:
        """Open `alert_id` at `attempt` (an enqueue or a sweep), stale after `stale_at` (epoch s)."""
        pipe = self._r.pipeline(transaction=True)
        pipe.zadd(self._open, {alert_id: stale_at})
        pipe.hset(self._attempt, alert_id, str(attempt))
        pipe.execute()

    def advance(self, alert_id: str, finished: int, following: int | None, stale_at: float = 0.0) -> bool:
        """After attempt `finished`: wait for `following` (None: the delivery is over). False when
        a replay restarted the alert meanwhile (then its chain, not this one, goes on)."""
        args = [alert_id, str(finished), str(following or 0), repr(stale_at)]
        return bool(self._advance(keys=[self._open, self._attempt], args=args))

    def begin(self, alert_id: str, attempt: int, token: str, lease_s: float) -> Begun:
        keys = [self._open, self._attempt, self._lock(alert_id)]
        got = int(self._begin(keys=keys, args=[alert_id, str(attempt), token, int(lease_s * 1000)]))
        if got == 1:
            return Begun(True)
        if got == -1:
            return Begun(False, superseded=True)
        return Begun(False, busy_s=(-got - 2) / 1000)

    def end(self, alert_id: str, token: str) -> None:
        self._end(keys=[self._lock(alert_id)], args=[token])

    def stale(self, now: float, limit: int = 500) -> list[tuple[str, int]]:
        """Open alerts whose deadline passed, with the attempt each waits for, most overdue first."""
        raw: Any = self._r.zrangebyscore(self._open, "-inf", now, start=0, num=limit)
        ids = [m.decode() if isinstance(m, bytes) else str(m) for m in raw]
        if not ids:
            return []
        attempts: Any = self._r.hmget(self._attempt, ids)
        return [(i, int(a or 1)) for i, a in zip(ids, attempts, strict=True)]

    def close(self, alert_id: str) -> None:
        pipe = self._r.pipeline(transaction=True)
        pipe.zrem(self._open, alert_id)
        pipe.hdel(self._attempt, alert_id)
        pipe.execute()

    def exclusive(self, name: str, ttl_s: int) -> bool:
        """Take the named lock for `ttl_s` unless another process holds it (one sweeper at a time)."""
        return bool(self._r.set(self._k("delivery", "lock", name), "1", nx=True, ex=ttl_s))

    def count(self) -> int:
        return int(self._r.zcard(self._open))
