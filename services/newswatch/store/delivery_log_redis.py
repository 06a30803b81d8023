"""The delivery attempt log in Redis.

Each record is a JSON string under `delivery:attempt:<seq>` (expiring after
`ttl`); sorted sets scored by `seq` index it per tenant, subscription and
alert, so listings walk one index newest first. Index entries whose record
expired are skipped and pruned as they are met; entries more than `KEEP`
attempts old are dropped on every append.
"""

from __future__ import annotations

import json

import redis

from newswatch.delivery.log import AttemptPage, AttemptQuery, DeliveryAttempt
from newswatch.store.redis import Keys

DEFAULT_TTL = 30 * 86400
KEEP = 1_000_000  # index entries older than the newest KEEP attempts are dropped on append


class RedisDeliveryLog:
    def __init__(self, client: redis.Redis, keys: Keys, ttl: int = DEFAULT_TTL) -> None:
        self._r = client
        self._k = keys
        self._ttl = ttl

    def append(self, attempt: DeliveryAttempt) -> None:
        seq = int(self._r.incr(self._k("delivery", "seq")))
        pipe = self._r.pipeline(transaction=True)
        pipe.set(self._k("delivery", "attempt", str(seq)), json.dumps(attempt.to_dict()), ex=self._ttl)
        for index in self._indexes(None, attempt.tenant, attempt.subscription_id, attempt.alert_id):
            pipe.zadd(index, {str(seq): seq})
            pipe.zremrangebyscore(index, "-inf", seq - KEEP)  # bounds every index, even unread ones
        pipe.execute()

    def _indexes(self, *parts: str | None) -> list[str]:
        names = ("all", "tenant", "sub", "alert")
        return [
            self._k("delivery", "by", name, *([part] if part else []))
            for name, part in zip(names, parts, strict=True)
            if name == "all" or part
        ]

    def list_attempts(self, q: AttemptQuery) -> AttemptPage:
        index = self._indexes(None, q.tenant, q.subscription_id, q.alert_id)[-1]  # the narrowest
        top = f"({q.cursor}" if q.cursor else "+inf"
        found: list[tuple[str, DeliveryAttempt]] = []
        while len(found) <= q.limit:
            raw = self._r.zrevrangebyscore(index, top, "-inf", start=0, num=q.limit + 1)
            seqs = [s.decode() if isinstance(s, bytes) else str(s) for s in raw]
            if not seqs:
                break
            top = f"({seqs[-1]}"
            for seq, a in zip(seqs, self._load(index, seqs), strict=True):
                if a is None or not _matches(a, q.tenant, q.subscription_id, q.alert_id):
                    continue
                if q.since is not None and a.at < q.since:
                    return _page(found, q.limit)  # the rest is older still
                found.append((seq, a))
        return _page(found, q.limit)

    def _load(self, index: str, seqs: list[str]) -> list[DeliveryAttempt | None]:
        raws = self._r.mget([self._k("delivery", "attempt", s) for s in seqs])
        expired = [s for s, raw in zip(seqs, raws, strict=True) if raw is None]
        if expired:
            self._r.zrem(index, *expired)
        return [None if raw is None else DeliveryAttempt.from_dict(json.loads(raw)) for raw in raws]


def _matches(a: DeliveryAttempt, tenant: str | None, sub: str | None, alert: str | None) -> bool:
    pairs = ((tenant, a.tenant), (sub, a.subscription_id), (alert, a.alert_id))
    return all(want is None or got == want for want, got in pairs)


def _page(found: list[tuple[str, DeliveryAttempt]], limit: int) -> AttemptPage:
    cursor = found[limit - 1][0] if len(found) > limit else None
    return AttemptPage(tuple(a for _, a in found[:limit]), cursor)
