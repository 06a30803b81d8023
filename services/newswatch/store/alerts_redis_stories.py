"""Stories, their lookup keys and notices in Redis (distributed mode).

Keys (under the store prefix):
- `story:<id>` JSON; `story:lookup:k:<key>` / `story:lookup:b:<band>` sorted sets of story ids scored by
  last_seen (microseconds), so a window query is one ZRANGEBYSCORE per key.
- `story:notices:<story id>` hash subscription id -> notice JSON; `story:held` set of "<story>|<sub>".
Everything expires `ttl` after the story was last seen.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

import redis

from newswatch.alerts.ports import Candidate, Notice, Story
from newswatch.alerts.stories import candidates_from
from newswatch.store.alerts_codec import StoryCodec, micros, notice_dumps, notice_loads
from newswatch.store.redis import Keys, text

LOCK_TTL_S = 10.0  # a crashed holder frees its keys after this long
LOCK_WAIT_S = 5.0
LOCK_POLL_S = 0.01

# KEYS: the story document, then its lookups; ARGV: doc, ttl s, last_us, story id. One call, atomic:
# a story has a lookup per key and band, and a command (plus its reply) each was most of the cost.
_SAVE = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[3], ARGV[4])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return 0
"""
# KEYS: the lock keys; ARGV: token, ttl ms. Takes every lock or none.
_ACQUIRE = """
for _, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then return 0 end
end
for _, k in ipairs(KEYS) do redis.call('SET', k, ARGV[1], 'PX', ARGV[2]) end
return 1
"""
# KEYS: the lock keys; ARGV: token. A lock that expired and was taken by another planner stays theirs.
_RELEASE = """
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end
end
return 0
"""


class RedisStories:
    def __init__(self, client: redis.Redis, keys: Keys, ttl: timedelta = timedelta(days=7)) -> None:
        self._r, self._k, self._ttl = client, keys, ttl
        self._acquire, self._release = client.register_script(_ACQUIRE), client.register_script(_RELEASE)
        self._save = client.register_script(_SAVE)
        self._codec = StoryCodec()

    @contextmanager
    def locked(self, keys: Sequence[str]) -> Iterator[None]:
        """All the keys' locks at once or none (one script call per try, so no deadlock and no
        round trip per key); released only where our token still holds them."""
        names = [self._k("story", "lock", key) for key in sorted(set(keys))]
        if not names:
            yield
            return
        token, deadline = uuid.uuid4().hex, time.monotonic() + LOCK_WAIT_S
        while not self._acquire(keys=names, args=[token, int(LOCK_TTL_S * 1000)]):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"story keys {sorted(set(keys))} held for over {LOCK_WAIT_S}s")
            time.sleep(LOCK_POLL_S)
        try:
            yield
        finally:
            self._release(keys=names, args=[token])

    def candidates(self, keys: Iterable[str], bands: Iterable[str], since: datetime) -> list[Candidate]:
        lookups = [f"k:{k}" for k in keys] + [f"b:{b}" for b in bands]
        pipe = self._r.pipeline(transaction=False)
        for lookup in lookups:
            pipe.zrangebyscore(self._k("story", "lookup", lookup), micros(since), "+inf", withscores=True)
        results = pipe.execute() if lookups else []
        return candidates_from(
            (lookup, text(i), int(score))
            for lookup, found in zip(lookups, results, strict=True)
            for i, score in found
        )

    def get_many(self, story_ids: Sequence[str]) -> list[Story]:
        docs = self._r.mget([self._k("story", i) for i in story_ids]) if story_ids else []
        return [self._codec.loads(d, i) for i, d in zip(story_ids, docs, strict=True) if d is not None]

    def get(self, story_id: str) -> Story | None:
        raw = self._r.get(self._k("story", story_id))
        return self._codec.loads(raw, story_id) if raw is not None else None

    def save(self, story: Story, bands: Iterable[str]) -> None:
        lookups = [f"k:{k}" for k in story.keys] + [f"b:{b}" for b in bands]
        self._save(
            keys=[self._k("story", story.id), *(self._k("story", "lookup", x) for x in lookups)],
            args=[
                self._codec.dumps(story),
                int(self._ttl.total_seconds()),
                micros(story.last_seen),
                story.id,
            ],
        )

    def notice(self, subscription_id: str, story_id: str) -> Notice | None:
        raw = self._r.hget(self._k("story", "notices", story_id), subscription_id)
        return notice_loads(raw) if raw is not None else None

    def save_notice(self, notice: Notice) -> None:
        key, member = (
            self._k("story", "notices", notice.story_id),
            f"{notice.story_id}|{notice.subscription_id}",
        )
        pipe = self._r.pipeline()
        pipe.hset(key, notice.subscription_id, notice_dumps(notice))
        pipe.expire(key, int(self._ttl.total_seconds()))
        if notice.held_since is not None:
            pipe.sadd(self._k("story", "held"), member)
        else:
            pipe.srem(self._k("story", "held"), member)
        pipe.execute()

    def notices_for(self, story_id: str) -> list[Notice]:
        raw = self._r.hgetall(self._k("story", "notices", story_id))
        return [notice_loads(raw[k]) for k in sorted(raw)]

    def held(self) -> list[Notice]:
        found = []
        for member in sorted(text(m) for m in self._r.smembers(self._k("story", "held"))):
            story_id, _, sub_id = member.partition("|")
            n = self.notice(sub_id, story_id)
            if n is not None and n.held_since is not None:
                found.append(n)
        return found

    def prune(self, before: datetime) -> int:
        """Story documents and notices expire by TTL; this trims the lookup sets and held set."""
        cut, removed = micros(before), 0
        for key in self._r.scan_iter(match=self._k("story", "lookup", "*"), count=1000):
            removed += int(self._r.zremrangebyscore(key, "-inf", f"({cut}"))
        for n in self.held():
            if self._r.exists(self._k("story", n.story_id)) == 0:
                self._r.srem(self._k("story", "held"), f"{n.story_id}|{n.subscription_id}")
        return removed
