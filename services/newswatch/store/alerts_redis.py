"""Subscriptions and alerts in Redis (distributed mode; ports in newswatch/alerts/ports.py).

Keys (under the store prefix):
- `subs` hash id -> JSON; `subs:tenant:<t>` set of ids; `subs:version` counter.
- `alert:<id>` hash {doc, status}; `alerts:all`, `alerts:tenant:<t>`, `alerts:sub:<id>` sorted sets of
  ids scored by created_at (microseconds), for listing newest first and for replay.
- `alerts:outbox` sorted set of alert ids stored by the planner and not yet enqueued
  (newswatch/store/alerts_redis_stories.py writes it with the alert, in one script).
- the stories API's index: `story:tenants:<story>` set, `stories:tenant:<t>` and `stories:all` sorted
  sets (`story_index_keys`), written with each alert and rescored by every story write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import redis

from newswatch.alerts.ports import AlertKind, AlertRecord, AlertStatus, Page, Subscription
from newswatch.alerts.subscriptions import as_update_of
from newswatch.domain.clock import utcnow as _utcnow
from newswatch.domain.errors import AlreadyExists
from newswatch.store.alerts_codec import (
    alert_dumps,
    alert_loads,
    cursor_decode,
    cursor_encode,
    micros,
    sub_dumps,
    sub_loads,
)
from newswatch.store.alerts_sqlite import REPLAYABLE
from newswatch.store.redis import Keys, text


class RedisSubscriptions:
    def __init__(self, client: redis.Redis, keys: Keys, clock: Callable[[], datetime] = _utcnow) -> None:
        self._r, self._k, self._clock = client, keys, clock

    def create(self, sub: Subscription) -> Subscription:
        sub = replace(sub, created_at=sub.created_at or self._clock())
        if not self._r.hsetnx(self._k("subs"), sub.id, sub_dumps(sub)):
            raise AlreadyExists("subscription", sub.id)
        pipe = self._r.pipeline()
        pipe.sadd(self._k("subs", "tenant", sub.tenant), sub.id)
        pipe.incr(self._k("subs", "version"))
        pipe.execute()
        return sub

    def get(self, sub_id: str) -> Subscription | None:
        raw = self._r.hget(self._k("subs"), sub_id)
        return sub_loads(raw) if raw is not None else None

    def list_by_tenant(self, tenant: str | None) -> list[Subscription]:
        if tenant is None:
            subs = [sub_loads(v) for v in self._r.hvals(self._k("subs"))]
        else:
            ids = sorted(self._r.smembers(self._k("subs", "tenant", tenant)))
            subs = [sub_loads(v) for v in self._r.hmget(self._k("subs"), ids) if v is not None] if ids else []
        return sorted(subs, key=lambda s: (s.created_at or datetime.min.replace(tzinfo=UTC), s.id))

    def update(self, sub: Subscription) -> Subscription | None:
        old = self.get(sub.id)
        if old is None:
            return None
        sub = as_update_of(sub, old)
        pipe = self._r.pipeline()
        pipe.hset(self._k("subs"), sub.id, sub_dumps(sub))
        pipe.incr(self._k("subs", "version"))
        pipe.execute()
        return sub

    def rotate_secret(self, sub_id: str, secret: str, previous_until: datetime) -> Subscription | None:
        old = self.get(sub_id)
        if old is None:
            return None
        sub = replace(old, secret=secret, previous_secret=old.secret, previous_secret_until=previous_until)
        pipe = self._r.pipeline()
        pipe.hset(self._k("subs"), sub_id, sub_dumps(sub))
        pipe.incr(self._k("subs", "version"))
        pipe.execute()
        return sub

    def delete(self, sub_id: str) -> bool:
        old = self.get(sub_id)
        if old is None:
            return False
        pipe = self._r.pipeline()
        pipe.hdel(self._k("subs"), sub_id)
        pipe.srem(self._k("subs", "tenant", old.tenant), sub_id)
        pipe.incr(self._k("subs", "version"))
        pipe.execute()
        return True

    def set_enabled(self, sub_id: str, enabled: bool) -> bool:
        sub = self.get(sub_id)
        return sub is not None and self.update(replace(sub, enabled=enabled)) is not None

    def all_active(self) -> list[Subscription]:
        return [s for s in self.list_by_tenant(None) if s.enabled]

    def version(self) -> int:
        return int(self._r.get(self._k("subs", "version")) or 0)


# Insert-if-absent plus its index entries in one atomic step (KEYS: alert, all, tenant, sub).
# KEYS[5..9], when given: the story's head hash, its tenants set, the tenant's and everyone's
# stories index and the story's alerts (see `story_index_keys`); ARGV[5]: the tenant, ARGV[6]: the
# story id.
_PUT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'status', ARGV[2])
for i = 2, 4 do redis.call('ZADD', KEYS[i], ARGV[3], ARGV[4]) end
if #KEYS == 9 then
  redis.call('SADD', KEYS[6], ARGV[5])
  local last = tonumber(redis.call('HGET', KEYS[5], 'last_us') or '0')
  redis.call('ZADD', KEYS[7], 'GT', last, ARGV[6])
  redis.call('ZADD', KEYS[8], 'GT', last, ARGV[6])
  redis.call('ZADD', KEYS[9], ARGV[3], ARGV[4])
end
return 1
"""

_SET_STATUS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1])
return 1
"""


def alert_keys(k: Keys, alert: AlertRecord) -> list[str]:
    """The alert's hash, then the sorted sets that list it (all, tenant, subscription)."""
    return [
        k("alert", alert.id),
        k("alerts", "all"),
        k("alerts", "tenant", alert.tenant),
        k("alerts", "sub", alert.subscription_id),
    ]


def story_index_keys(k: Keys, alert: AlertRecord) -> list[str]:
    """Where the stories API files the alert's story: the story's head hash (its `last_us`), the
    set of tenants alerted on it (`story:tenants:<id>`), the sorted sets `stories:tenant:<t>`
    and `stories:all` of story ids scored by last_seen, and `story:alerts:<id>`, the alert ids about
    the story scored by created_at. Empty for alerts that name no story
    (subscription tests, digests). Scores only rise (ZADD GT): an alert and a story write racing
    leave the later last_seen."""
    if alert.kind == AlertKind.TEST or not alert.story_id:
        return []
    sid = alert.story_id
    return [
        k("story", "h", sid),
        k("story", "tenants", sid),
        k("stories", "tenant", alert.tenant),
        k("stories", "all"),
        k("story", "alerts", sid),
    ]


class RedisAlerts:
    def __init__(self, client: redis.Redis, keys: Keys, clock: Callable[[], datetime] = _utcnow) -> None:
        self._r, self._k, self._clock = client, keys, clock
        self._put = client.register_script(_PUT)
        self._set_status = client.register_script(_SET_STATUS)

    def put(self, alert: AlertRecord) -> bool:
        created = alert.created_at or self._clock()
        alert = replace(alert, created_at=created)
        keys = alert_keys(self._k, alert) + story_index_keys(self._k, alert)
        args = [
            alert_dumps(alert),
            alert.status.value,
            micros(created),
            alert.id,
            alert.tenant,
            alert.story_id,
        ]
        return bool(self._put(keys=keys, args=args))

    def get(self, alert_id: str) -> AlertRecord | None:
        doc, status = self._r.hmget(self._k("alert", alert_id), ["doc", "status"])
        return alert_loads(doc, text(status)) if doc is not None and status is not None else None

    def set_status(self, alert_id: str, status: AlertStatus) -> bool:
        status = AlertStatus(status)  # ValueError on an unknown status from an untyped caller
        return bool(self._set_status(keys=[self._k("alert", alert_id)], args=[status.value]))

    def _index(self, tenant: str | None, subscription_id: str | None) -> str:
        if subscription_id is not None:
            return self._k("alerts", "sub", subscription_id)
        return self._k("alerts", "tenant", tenant) if tenant is not None else self._k("alerts", "all")

    def list_alerts(
        self,
        *,
        tenant: str | None,
        subscription_id: str | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page:
        key, low = self._index(tenant, subscription_id), micros(since) if since else 0
        scored = self._page_ids(key, low, cursor, limit + 1)
        items = [a for a in (self.get(i) for i, _ in scored) if a is not None]
        items = [a for a in items if tenant is None or a.tenant == tenant][:limit]
        more = len(scored) > limit
        return Page(tuple(items), cursor_encode(scored[limit - 1][1], scored[limit - 1][0]) if more else None)

    def _page_ids(self, key: str, low: int, cursor: str | None, n: int) -> list[tuple[str, int]]:
        """(id, score) newest first, strictly after the cursor's (score, id)."""
        if cursor is None:
            rows: Any = self._r.zrevrangebyscore(key, "+inf", low, start=0, num=n, withscores=True)
            return [(text(m), int(s)) for m, s in rows]
        us, last_id = cursor_decode(cursor)
        # Ties on the score are ordered by id (Redis orders equal scores lexicographically).
        found: Any = self._r.zrangebyscore(key, us, us) if us >= low else []
        ties = [text(m) for m in found]
        same = [(m, us) for m in sorted(ties, reverse=True) if m < last_id]
        older: Any = self._r.zrevrangebyscore(key, f"({us}", low, start=0, num=n, withscores=True)
        return (same + [(text(m), int(s)) for m, s in older])[:n]

    def for_replay(self, subscription_id: str, since: datetime, only_failed: bool) -> list[AlertRecord]:
        ids: Any = self._r.zrangebyscore(self._k("alerts", "sub", subscription_id), micros(since), "+inf")
        alerts = [a for a in (self.get(text(i)) for i in ids) if a is not None]
        # A digest's story alerts are delivered inside it: replaying the digest replays them.
        alerts = [a for a in alerts if a.status != AlertStatus.IN_DIGEST]
        return [a for a in alerts if not only_failed or a.status in REPLAYABLE]
