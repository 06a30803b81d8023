"""Stories, their lookups, notices and the planner's atomic commit in Redis (distributed mode).

Keys (under the store prefix):
- `story:h:<id>` hash, one field per fact, written field by field (never a rewritten document):
  `first`, `last` (ISO times), `v` (version: bumped by every write), `k:<key>` (its blocking keys),
  `m:<article id>` (a member, JSON), `o:<article id>` (the member's text cluster), `n:<sub id>`
  (that subscriber's notice, JSON), `facts` (JSON, rarely set).
- `story:lookup:k:<key>` / `story:lookup:b:<band>` sorted sets of story ids scored by last_seen
  (microseconds): a window query reads only the newest few of each.
- `story:kv` hash blocking key -> version, bumped whenever a story is indexed under the key, so a
  commit can tell that another planner opened or extended a story there since the read.
- `story:held` set of "<story>|<sub>" whose notice is held.
- `alerts:outbox` (see newswatch/store/alerts_redis.py).
- `story:tenants:<id>` set, `stories:tenant:<t>`, `stories:all` and `story:alerts:<id>` sorted sets:
  the stories API's index (newswatch/store/alerts_redis.py, `story_index_keys`), rescored here by
  every story write.
- `digest:pending` sorted set of "<subscription id>|<alert id>" scored by created_at (microseconds):
  alerts of digest subscriptions committed with status in_digest and not yet in a digest.
Story hashes and lookups expire `ttl` after their last write. The commit script touches keys it
is not given in KEYS, so this layout needs a single Redis (not Cluster).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import redis

from newswatch.alerts.ports import (
    AlertRecord,
    AlertStatus,
    Changes,
    Notice,
    Pending,
    Snapshot,
    Story,
    StoryState,
    StoryWrite,
)
from newswatch.store.alerts_codec import (
    _req,
    alert_dumps,
    alert_loads,
    by_arrival,
    member_dumps,
    member_loads,
    micros,
    notice_dumps,
    notice_loads,
    time_of,
)
from newswatch.store.alerts_redis import alert_keys, story_index_keys
from newswatch.store.alerts_stories_reads import Hits, Read, StoryQueries
from newswatch.store.redis import Keys, text

# ARGV[1]: {"c": [[hash, field, version], ...], "o": [[command, key, arg, ...], ...]}, every arg a
# string. All checks pass or nothing is written: Redis runs a script without interleaving.
# Two commands of ours maintain the stories index, which needs values read inside the script:
# NW_INDEX head tenants tenant_index all_index story_alerts tenant story created alert: file the
# story with its head's last_us, and the alert under the story;
# NW_RESCORE tenants tenant_index_prefix all_index last_us story: the story's new last_seen, under
# every tenant filed.
_COMMIT = """
local p = cjson.decode(ARGV[1])
for _, c in ipairs(p.c) do
  local v = tonumber(redis.call('HGET', c[1], c[2]) or '0')
  if v ~= c[3] then return 0 end
end
for _, op in ipairs(p.o) do
  if op[1] == 'NW_INDEX' then
    redis.call('SADD', op[3], op[7])
    local last = tonumber(redis.call('HGET', op[2], 'last_us') or '0')
    redis.call('ZADD', op[4], 'GT', last, op[8])
    redis.call('ZADD', op[5], 'GT', last, op[8])
    redis.call('ZADD', op[6], op[9], op[10])
  elseif op[1] == 'NW_RESCORE' then
    local tenants = redis.call('SMEMBERS', op[2])
    for _, t in ipairs(tenants) do redis.call('ZADD', op[3] .. t, 'XX', 'GT', op[5], op[6]) end
    if #tenants > 0 then redis.call('ZADD', op[4], 'XX', 'GT', op[5], op[6]) end
  else
    redis.call(unpack(op))
  end
end
return 1
"""

# KEYS[1]: the digest's alert hash; ARGV[1]: [[command, key, arg, ...], ...]. Nothing is written
# when the digest exists: another planner built this period's digest first.
_DIGEST = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for _, op in ipairs(cjson.decode(ARGV[1])) do redis.call(unpack(op)) end
return 1
"""


# A batch's whole read in one step: KEYS = [story:kv, lookup keys...]; ARGV = [since_us, limit,
# story hash prefix, blocking keys...]. Returns {key versions, per lookup [id, score, ...], the
# stories' ids, per story its HGETALL}. One script instead of ~25 pipelined commands per article:
# the client's cost was in packing and parsing thousands of small replies per poll. Being one
# script it is also one consistent view (nothing commits between the versions and the lookups).
_SNAPSHOT = """
local since, limit, head = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local versions = {}
for i = 4, #ARGV do versions[#versions + 1] = redis.call('HGET', KEYS[1], ARGV[i]) or '0' end
local hits, ids, seen = {}, {}, {}
for i = 2, #KEYS do
  local found = redis.call('ZREVRANGEBYSCORE', KEYS[i], '+inf', since, 'WITHSCORES', 'LIMIT', 0, limit)
  hits[#hits + 1] = found
  for j = 1, #found, 2 do
    local sid = found[j]
    if not seen[sid] then seen[sid] = true; ids[#ids + 1] = sid end
  end
end
local stories = {}
for i, sid in ipairs(ids) do stories[i] = redis.call('HGETALL', head .. sid) end
return {versions, hits, ids, stories}
"""


class RedisStories(StoryQueries):
    def __init__(self, client: redis.Redis, keys: Keys, ttl: timedelta = timedelta(days=7)) -> None:
        self._r, self._k, self._ttl = client, keys, ttl
        self._commit = client.register_script(_COMMIT)
        self._snapshot = client.register_script(_SNAPSHOT)
        self._digest = client.register_script(_DIGEST)

    # ------------------------------------------------------------------ reads

    def _head(self, story_id: str) -> str:
        return self._k("story", "h", story_id)

    def _hits(self, lookups: Sequence[str], since: datetime, limit: int | None) -> Hits:
        pipe = self._r.pipeline(transaction=False)
        for lookup in lookups:
            key = self._k("story", "lookup", lookup)
            if limit is None:
                pipe.zrevrangebyscore(key, "+inf", micros(since), withscores=True)
            else:
                pipe.zrevrangebyscore(key, "+inf", micros(since), start=0, num=limit, withscores=True)
        results = pipe.execute() if lookups else []
        return {
            lookup: [(text(i), int(score)) for i, score in found]
            for lookup, found in zip(lookups, results, strict=True)
        }

    def _read(self, story_ids: Sequence[str]) -> dict[str, Read]:
        pipe = self._r.pipeline(transaction=False)
        for sid in story_ids:
            pipe.hgetall(self._head(sid))
        results = pipe.execute() if story_ids else []
        return {sid: _parse(sid, raw) for sid, raw in zip(story_ids, results, strict=True) if raw}

    def snapshot(self, lookups: Sequence[str], keys: Sequence[str], since: datetime, limit: int) -> Snapshot:
        """StoryQueries.snapshot in one script (see _SNAPSHOT)."""
        keys, lookups = sorted(set(keys)), list(dict.fromkeys(lookups))
        found: Any = self._snapshot(
            keys=[self._k("story", "kv"), *(self._k("story", "lookup", x) for x in lookups)],
            args=[micros(since), limit, self._head(""), *keys],
        )
        versions, hits, ids, raws = found
        states = {}
        for sid, raw in zip(ids, raws, strict=True):
            story, notices, version = _parse(text(sid), _pairs(raw))
            if story is not None:
                states[story.id] = StoryState(story, notices, version)
        return Snapshot(
            {
                lookup: tuple((text(row[i]), int(float(row[i + 1]))) for i in range(0, len(row), 2))
                for lookup, row in zip(lookups, hits, strict=True)
                if row
            },
            states,
            {k: int(v) for k, v in zip(keys, versions, strict=True)},
        )

    def _key_versions(self, keys: Sequence[str]) -> dict[str, int]:
        if not keys:
            return {}
        found: Any = self._r.hmget(self._k("story", "kv"), list(keys))
        return {k: int(v or 0) for k, v in zip(keys, found, strict=True)}

    def _index_key(self, tenant: str | None) -> str:
        return self._k("stories", "tenant", tenant) if tenant is not None else self._k("stories", "all")

    def _tenant_stories(
        self, tenant: str | None, after: tuple[int, str] | None, since_us: int, n: int
    ) -> list[tuple[str, int]]:
        key, top = self._index_key(tenant), after[0] if after is not None else "+inf"
        out: list[tuple[str, int]] = []
        offset = 0
        while len(out) < n:  # more than one round only past ties with the cursor's own last_us
            found: Any = self._r.zrevrangebyscore(key, top, since_us, start=offset, num=n, withscores=True)
            for member, score in found:
                entry = (text(member), int(score))
                if after is None or (entry[1], entry[0]) < after:
                    out.append(entry)
            if len(found) < n:
                break
            offset += len(found)
        return out[:n]

    def _forget(self, tenant: str | None, story_ids: Sequence[str]) -> None:
        if story_ids:
            self._r.zrem(self._index_key(tenant), *story_ids)

    def _story_alerts(self, story_id: str, tenant: str | None) -> list[AlertRecord]:
        key = self._k("story", "alerts", story_id)
        ids = [text(i) for i in cast(list[bytes], self._r.zrange(key, 0, -1))]  # by created_at, then id
        return [a for a in self.alerts_by_id(ids) if tenant is None or a.tenant == tenant]

    def held(self) -> list[Notice]:
        pairs = sorted(text(m).partition("|")[::2] for m in self._r.smembers(self._k("story", "held")))
        read = self._read(sorted({sid for sid, _ in pairs}))
        found = [read.get(sid, (None, {}, 0))[1].get(sub) for sid, sub in pairs]
        return [n for n in found if n is not None and n.held_since is not None]

    def outbox(self, before: datetime) -> list[str]:
        ids: Any = self._r.zrangebyscore(self._k("alerts", "outbox"), "-inf", f"({micros(before)}")
        return [text(i) for i in ids]

    def outbox_done(self, alert_ids: Sequence[str]) -> None:
        if alert_ids:
            self._r.zrem(self._k("alerts", "outbox"), *alert_ids)

    def digest_pending(self) -> list[Pending]:
        found: Any = self._r.zrange(self._k("digest", "pending"), 0, -1, withscores=True)
        pairs = [(text(m).partition("|"), int(score)) for m, score in found]
        return [Pending(sub, aid, time_of(us)) for (sub, _, aid), us in pairs]

    def alerts_by_id(self, alert_ids: Sequence[str]) -> list[AlertRecord]:
        pipe = self._r.pipeline(transaction=False)
        for alert_id in alert_ids:
            pipe.hmget(self._k("alert", alert_id), ["doc", "status"])
        rows = pipe.execute() if alert_ids else []
        return [alert_loads(d, text(s)) for d, s in rows if d is not None and s is not None]

    # ------------------------------------------------------------------ writes

    def commit_digest(self, digest: AlertRecord, included: Sequence[str]) -> bool:
        ops = self._alert_ops(digest)
        if included:
            pending = self._k("digest", "pending")
            ops.append(["ZREM", pending, *(f"{digest.subscription_id}|{i}" for i in included)])
        return bool(self._digest(keys=[self._k("alert", digest.id)], args=[json.dumps(ops)]))

    def drop_pending(self, alert_ids: Sequence[str]) -> None:
        pending = self._k("digest", "pending")
        drop, found = set(alert_ids), cast(list[bytes], self._r.zrange(pending, 0, -1))
        members = [m for m in found if text(m).partition("|")[2] in drop]
        if members:
            self._r.zrem(pending, *members)

    def commit(self, changes: Changes) -> bool:
        checks: list[list[Any]] = [
            [self._head(w.story_id), "v", w.expected] for w in changes.stories.values() if w.expected >= 0
        ]
        checks += [[self._k("story", "kv"), k, v] for k, v in sorted(changes.key_versions.items())]
        return bool(self._commit(args=[json.dumps({"c": checks, "o": self._ops(changes)})]))

    def _ops(self, changes: Changes) -> list[list[str]]:
        ttl, ops = str(int(self._ttl.total_seconds())), []
        for w in changes.stories.values():
            ops += self._story_ops(w, ttl)
        for a in changes.alerts:
            ops += self._alert_ops(a)
        return ops

    def _alert_ops(self, a: AlertRecord) -> list[list[str]]:
        """Store the alert unless it exists, list it, and put it in the outbox, or, waiting for a
        digest, on the pending list."""
        created = str(micros(a.created_at)) if a.created_at else "0"
        akey, *lists = alert_keys(self._k, a)
        ops = [["HSETNX", akey, "doc", alert_dumps(a)], ["HSETNX", akey, "status", a.status]]
        ops += [["ZADD", z, "NX", created, a.id] for z in lists]
        if index := story_index_keys(self._k, a):
            ops.append(["NW_INDEX", *index, a.tenant, a.story_id, created, a.id])
        if a.status == AlertStatus.IN_DIGEST:
            ops.append(["ZADD", self._k("digest", "pending"), "NX", created, f"{a.subscription_id}|{a.id}"])
        else:
            ops.append(["ZADD", self._k("alerts", "outbox"), "NX", created, a.id])
        return ops

    def _story_ops(self, w: StoryWrite, ttl: str) -> list[list[str]]:
        head, ops = self._head(w.story_id), []
        fields: list[str] = []
        if w.touches_story and w.last_seen is not None:
            if w.first_seen is not None:
                ops.append(["HSETNX", head, "first", w.first_seen.isoformat()])
            fields += ["last", w.last_seen.isoformat(), "last_us", str(micros(w.last_seen))]
            fields += [x for k in w.keys for x in (f"k:{k}", "1")]
            fields += [x for m in w.members for x in (f"m:{m.article_id}", member_dumps(m))]
            fields += [x for aid, origin in w.origins.items() for x in (f"o:{aid}", origin)]
            last = str(micros(w.last_seen))
            tenants = self._k("story", "tenants", w.story_id)
            ops.append(
                [
                    "NW_RESCORE",
                    tenants,
                    self._k("stories", "tenant", ""),
                    self._k("stories", "all"),
                    last,
                    w.story_id,
                ]
            )
            ops += [["EXPIRE", tenants, ttl], ["EXPIRE", self._k("story", "alerts", w.story_id), ttl]]
            for lookup in w.lookups:
                key = self._k("story", "lookup", lookup)
                ops += [["ZADD", key, last, w.story_id], ["EXPIRE", key, ttl]]
                if lookup[0] == "k":
                    ops.append(["HINCRBY", self._k("story", "kv"), lookup[2:], "1"])
        held = self._k("story", "held")
        for sub, n in w.notices.items():
            fields += [f"n:{sub}", notice_dumps(n)]
            ops.append(["SADD" if n.held_since is not None else "SREM", held, f"{w.story_id}|{sub}"])
        if fields:
            ops.append(["HSET", head, *fields])
        return [*ops, ["HINCRBY", head, "v", "1"], ["EXPIRE", head, ttl]]

    def save(self, story: Story, bands: Sequence[str]) -> None:
        """Write a whole story unconditionally (tests and tools; the planner commits Changes)."""
        lookups = (*(f"k:{k}" for k in story.keys), *(f"b:{b}" for b in bands))
        w = StoryWrite(story.id, 0, story.first_seen, story.last_seen, story.keys, lookups)
        w.members = list(story.members)
        w.origins = {m.article_id: m.origin for m in story.members}
        ops = self._story_ops(w, str(int(self._ttl.total_seconds())))
        if story.facts:
            ops.append(["HSET", self._head(story.id), "facts", json.dumps(story.facts)])
        self._commit(args=[json.dumps({"c": [], "o": ops})])

    def save_notice(self, notice: Notice) -> None:
        w = StoryWrite(notice.story_id, 0, notices={notice.subscription_id: notice})
        self._commit(
            args=[json.dumps({"c": [], "o": self._story_ops(w, str(int(self._ttl.total_seconds())))})]
        )

    def prune(self, before: datetime) -> int:
        """Story hashes expire by TTL; this trims the lookup sets and the held set."""
        cut, removed = micros(before), 0
        for key in self._r.scan_iter(match=self._k("story", "lookup", "*"), count=1000):
            removed += int(self._r.zremrangebyscore(key, "-inf", f"({cut}"))
        for n in self.held():
            state = self._read([n.story_id]).get(n.story_id)
            if state is None or state[0] is None or state[0].last_seen < before:
                self._r.srem(self._k("story", "held"), f"{n.story_id}|{n.subscription_id}")
        return removed


def _pairs(flat: list[bytes]) -> dict[bytes, bytes]:
    """A Lua HGETALL reply (field, value, field, value, ...) as the dict HGETALL gives."""
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _parse(story_id: str, raw: dict[bytes, bytes]) -> Read:
    fields = {text(k): v for k, v in raw.items()}
    notices = {k[2:]: notice_loads(v) for k, v in fields.items() if k.startswith("n:")}
    version = int(fields.get("v", b"0"))
    if "first" not in fields or "last" not in fields:  # notices only (or an expired story)
        return None, notices, version
    members = [
        member_loads(v, text(fields.get(f"o:{k[2:]}", k[2:].encode())))
        for k, v in fields.items()
        if k[:2] == "m:"
    ]
    story = Story(
        story_id,
        _req(text(fields["first"])),
        _req(text(fields["last"])),
        tuple(sorted(k[2:] for k in fields if k.startswith("k:"))),
        by_arrival(members),
        json.loads(fields["facts"]) if "facts" in fields else {},
    )
    return story, notices, version
