"""Stories, their lookups (blocking keys and LSH bands), notices and the planner's commit in SQLite.

A story is a head row (times, keys, version) plus one row per member and one per notice, written
row by row. `commit` checks versions and writes in one `BEGIN IMMEDIATE` transaction, which also
inserts the alerts (the `alerts` table of newswatch/store/alerts_sqlite.py) and their outbox rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from newswatch.alerts.ports import AlertRecord, AlertStatus, Changes, Notice, Pending, Story, StoryWrite
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
from newswatch.store.alerts_sqlite import _ALERTS_DDL, ANY_TENANT, index_story
from newswatch.store.alerts_stories_reads import Hits, Read, StoryQueries
from newswatch.store.sqlite import SQLiteDB

_DDL = """
CREATE TABLE IF NOT EXISTS story_members (
  story_id TEXT NOT NULL, article_id TEXT NOT NULL, origin TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (story_id, article_id));
-- LSH band lookups (`b:...`): the table is its primary key and nothing else. Each article inserts 16
-- rows at random places, so every B-tree over them costs ~16 dirty pages per article once the
-- table outgrows the page cache (the commit's cost grew with the open stories). A band holds only
-- the stories that share that band of their text (near-duplicates), so reading one scans a handful.
CREATE TABLE IF NOT EXISTS story_lookups (
  lookup TEXT NOT NULL, story_id TEXT NOT NULL, last_us INTEGER NOT NULL, PRIMARY KEY (lookup, story_id)
) WITHOUT ROWID;
DROP INDEX IF EXISTS story_lookups_recent;
-- Blocking-key lookups (`k:type@place`): one row per article, and a key can hold many stories, so
-- they keep an index by recency that reads only the newest few.
CREATE TABLE IF NOT EXISTS story_key_lookups (
  lookup TEXT NOT NULL, story_id TEXT NOT NULL, last_us INTEGER NOT NULL, PRIMARY KEY (lookup, story_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS story_key_lookups_recent ON story_key_lookups (lookup, last_us);
-- Databases written before the split kept key lookups in story_lookups.
INSERT OR IGNORE INTO story_key_lookups SELECT * FROM story_lookups WHERE lookup >= 'k:' AND lookup < 'k;';
DELETE FROM story_lookups WHERE lookup >= 'k:' AND lookup < 'k;';
CREATE TABLE IF NOT EXISTS story_notices (
  story_id TEXT NOT NULL, subscription_id TEXT NOT NULL, held INTEGER NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (story_id, subscription_id));
CREATE INDEX IF NOT EXISTS story_notices_held ON story_notices (held) WHERE held = 1;
CREATE TABLE IF NOT EXISTS story_key_versions (key TEXT PRIMARY KEY, v INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alert_outbox (alert_id TEXT PRIMARY KEY, created_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS digest_pending (
  alert_id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, created_us INTEGER NOT NULL);
"""


MAX_VARIABLES = 30_000  # per statement (SQLite allows 32,766)


class _Conflict(Exception):
    """A version changed since the plan read it: roll the transaction back."""


class SQLiteStories(StoryQueries):
    def __init__(self, db: SQLiteDB) -> None:
        self._db = db
        db.migrate(_ALERTS_DDL)
        db.migrate(_DDL)
        self._backfill_index()

    def _backfill_index(self) -> None:
        """File the stories of alerts stored before the stories index existed (once: an empty index
        beside stored alerts)."""
        c = self._db.conn()
        if c.execute("SELECT 1 FROM story_alerts LIMIT 1").fetchone() is not None:
            return
        if c.execute("SELECT 1 FROM alerts LIMIT 1").fetchone() is None:
            return
        with self._db.transaction() as t:
            for doc, status in t.execute("SELECT doc, status FROM alerts").fetchall():
                index_story(t, alert_loads(doc, status))

    # ------------------------------------------------------------------ reads

    def _hits(self, lookups: Sequence[str], since: datetime, limit: int | None) -> Hits:
        """One query for the whole batch: the newest `limit` rows of each lookup (index range scans)."""
        found: Hits = {lookup: [] for lookup in lookups}
        c, cut = self._db.conn(), micros(since)
        for table, of_table in (
            ("story_key_lookups", [x for x in lookups if x[:2] == "k:"]),
            ("story_lookups", [x for x in lookups if x[:2] != "k:"]),
        ):
            for start in range(0, len(of_table), MAX_VARIABLES):
                part = of_table[start : start + MAX_VARIABLES]
                q = (
                    "SELECT lookup, story_id, last_us FROM (SELECT lookup, story_id, last_us, row_number()"
                    f" OVER (PARTITION BY lookup ORDER BY last_us DESC, story_id DESC) AS n FROM {table}"
                    f" WHERE lookup IN ({','.join('?' * len(part))}) AND last_us >= ?) WHERE n <= ?"
                    " ORDER BY lookup, n"
                )
                for lookup, sid, last in c.execute(q, (*part, cut, limit if limit is not None else 2**62)):
                    found[lookup].append((sid, int(last)))
        return found

    def _read(self, story_ids: Sequence[str]) -> dict[str, Read]:
        if not story_ids:
            return {}
        c, marks = self._db.conn(), ",".join("?" * len(story_ids))
        heads = {
            r[0]: r[1:]
            for r in c.execute(
                f"SELECT id, first, last, keys, facts, v FROM story_heads WHERE id IN ({marks})", story_ids
            )
        }
        members: dict[str, list] = {}
        q = f"SELECT story_id, origin, doc FROM story_members WHERE story_id IN ({marks})"
        for sid, origin, doc in c.execute(q, story_ids):
            members.setdefault(sid, []).append(member_loads(doc, origin))
        notices: dict[str, dict[str, Notice]] = {}
        q = f"SELECT story_id, subscription_id, doc FROM story_notices WHERE story_id IN ({marks})"
        for sid, sub, doc in c.execute(q, story_ids):
            notices.setdefault(sid, {})[sub] = notice_loads(doc)
        out: dict[str, Read] = {}
        for sid in story_ids:
            head = heads.get(sid)
            story = None
            if head is not None and head[0] is not None:
                first, last, keys, facts, _ = head
                story = Story(
                    sid,
                    _req(first),
                    _req(last),
                    tuple(json.loads(keys)),
                    by_arrival(members.get(sid, [])),
                    json.loads(facts),
                )
            if head is not None or sid in notices:
                out[sid] = (story, notices.get(sid, {}), int(head[4]) if head is not None else 0)
        return out

    def _key_versions(self, keys: Sequence[str]) -> dict[str, int]:
        if not keys:
            return {}
        q = f"SELECT key, v FROM story_key_versions WHERE key IN ({','.join('?' * len(keys))})"
        found = dict(self._db.conn().execute(q, list(keys)).fetchall())
        return {k: int(found.get(k, 0)) for k in keys}

    def _tenant_stories(
        self, tenant: str | None, after: tuple[int, str] | None, since_us: int, n: int
    ) -> list[tuple[str, int]]:
        q = "SELECT story_id, last_us FROM tenant_stories WHERE tenant = ? AND last_us >= ?"
        args: list[object] = [ANY_TENANT if tenant is None else tenant, since_us]
        if after is not None:
            q += " AND (last_us < ? OR (last_us = ? AND story_id < ?))"
            args += [after[0], after[0], after[1]]
        rows = self._db.conn().execute(q + " ORDER BY last_us DESC, story_id DESC LIMIT ?", (*args, n))
        return [(sid, int(last)) for sid, last in rows]

    def _forget(self, tenant: str | None, story_ids: Sequence[str]) -> None:
        self._db.conn().executemany(
            "DELETE FROM tenant_stories WHERE tenant = ? AND story_id = ?",
            [(ANY_TENANT if tenant is None else tenant, sid) for sid in story_ids],
        )

    def _story_alerts(self, story_id: str, tenant: str | None) -> list[AlertRecord]:
        q = (
            "SELECT a.doc, a.status FROM story_alerts s JOIN alerts a ON a.id = s.alert_id"
            " WHERE s.story_id = ?"
        )
        args: list[object] = [story_id]
        if tenant is not None:
            q, args = q + " AND a.tenant = ?", [*args, tenant]
        rows = self._db.conn().execute(q + " ORDER BY s.created_us, s.alert_id", args)
        return [alert_loads(d, s) for d, s in rows]

    def held(self) -> list[Notice]:
        q = "SELECT doc FROM story_notices WHERE held = 1 ORDER BY story_id, subscription_id"
        return [notice_loads(r[0]) for r in self._db.conn().execute(q)]

    def outbox(self, before: datetime) -> list[str]:
        q = "SELECT alert_id FROM alert_outbox WHERE created_us < ? ORDER BY created_us, alert_id"
        return [r[0] for r in self._db.conn().execute(q, (micros(before),))]

    def outbox_done(self, alert_ids: Sequence[str]) -> None:
        if alert_ids:
            self._db.conn().executemany(
                "DELETE FROM alert_outbox WHERE alert_id = ?", [(i,) for i in alert_ids]
            )

    def digest_pending(self) -> list[Pending]:
        q = "SELECT subscription_id, alert_id, created_us FROM digest_pending ORDER BY created_us, alert_id"
        return [Pending(sub, aid, time_of(us)) for sub, aid, us in self._db.conn().execute(q)]

    def alerts_by_id(self, alert_ids: Sequence[str]) -> list[AlertRecord]:
        found: dict[str, AlertRecord] = {}
        c = self._db.conn()
        for start in range(0, len(alert_ids), MAX_VARIABLES):
            part = list(alert_ids[start : start + MAX_VARIABLES])
            q = f"SELECT id, doc, status FROM alerts WHERE id IN ({','.join('?' * len(part))})"
            found.update({i: alert_loads(d, s) for i, d, s in c.execute(q, part)})
        return [found[i] for i in alert_ids if i in found]

    # ------------------------------------------------------------------ writes

    def commit(self, changes: Changes) -> bool:
        try:
            with self._db.transaction() as c:
                self._check(c, changes)
                for w in changes.stories.values():
                    _write(c, w)
                for a in changes.alerts:
                    _insert_alert(c, a)
        except _Conflict:
            return False
        return True

    def commit_digest(self, digest: AlertRecord, included: Sequence[str]) -> bool:
        with self._db.transaction() as c:
            if c.execute("SELECT 1 FROM alerts WHERE id = ?", (digest.id,)).fetchone():
                return False
            _insert_alert(c, digest)
            c.executemany("DELETE FROM digest_pending WHERE alert_id = ?", [(i,) for i in included])
        return True

    def drop_pending(self, alert_ids: Sequence[str]) -> None:
        with self._db.transaction() as c:
            c.executemany("DELETE FROM digest_pending WHERE alert_id = ?", [(i,) for i in alert_ids])

    def _check(self, c: sqlite3.Connection, changes: Changes) -> None:
        ids = list(changes.stories)
        if ids:
            q = f"SELECT id, v FROM story_heads WHERE id IN ({','.join('?' * len(ids))})"
            found = dict(c.execute(q, ids).fetchall())
            if any(found.get(i, 0) != w.expected for i, w in changes.stories.items() if w.expected >= 0):
                raise _Conflict
        if changes.key_versions and self._key_versions(list(changes.key_versions)) != changes.key_versions:
            raise _Conflict

    def save(self, story: Story, bands: Sequence[str]) -> None:
        """Write a whole story unconditionally (tests and tools; the planner commits Changes)."""
        lookups = (*(f"k:{k}" for k in story.keys), *(f"b:{b}" for b in bands))
        w = StoryWrite(story.id, 0, story.first_seen, story.last_seen, story.keys, lookups)
        w.members = list(story.members)
        w.origins = {m.article_id: m.origin for m in story.members}
        with self._db.transaction() as c:
            _write(c, w)
            c.execute("UPDATE story_heads SET facts = ? WHERE id = ?", (json.dumps(story.facts), story.id))

    def save_notice(self, notice: Notice) -> None:
        with self._db.transaction() as c:
            _write(c, StoryWrite(notice.story_id, 0, notices={notice.subscription_id: notice}))

    def prune(self, before: datetime) -> int:
        cut = micros(before)
        with self._db.transaction() as c:
            gone = "SELECT id FROM story_heads WHERE last_us < ?"
            c.execute(f"DELETE FROM story_notices WHERE story_id IN ({gone})", (cut,))
            c.execute(f"DELETE FROM story_members WHERE story_id IN ({gone})", (cut,))
            c.execute(f"DELETE FROM tenant_stories WHERE story_id IN ({gone})", (cut,))
            c.execute(f"DELETE FROM story_alerts WHERE story_id IN ({gone})", (cut,))
            c.execute("DELETE FROM story_lookups WHERE last_us < ?", (cut,))
            c.execute("DELETE FROM story_key_lookups WHERE last_us < ?", (cut,))
            return int(c.execute("DELETE FROM story_heads WHERE last_us < ?", (cut,)).rowcount)


def _insert_alert(c: sqlite3.Connection, a: AlertRecord) -> None:
    """The alert (unless its id exists), then into the outbox, or, waiting for a digest, onto the
    pending list (inside the caller's transaction)."""
    created = micros(a.created_at) if a.created_at else 0
    c.execute(
        "INSERT OR IGNORE INTO alerts (id, subscription_id, tenant, created_us, status, doc)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (a.id, a.subscription_id, a.tenant, created, a.status, alert_dumps(a)),
    )
    index_story(c, a)
    if a.status == AlertStatus.IN_DIGEST:
        c.execute("INSERT OR IGNORE INTO digest_pending VALUES (?, ?, ?)", (a.id, a.subscription_id, created))
    else:
        c.execute("INSERT OR IGNORE INTO alert_outbox VALUES (?, ?)", (a.id, created))


def _write(c: sqlite3.Connection, w: StoryWrite) -> None:
    """One story's changes, row by row, and its version bumped (inside the caller's transaction)."""
    c.execute("INSERT OR IGNORE INTO story_heads (id, v) VALUES (?, 0)", (w.story_id,))
    if w.touches_story and w.last_seen is not None:
        last = micros(w.last_seen)
        c.execute(
            "UPDATE story_heads SET first = COALESCE(first, ?), last = ?, last_us = ?, keys = ? WHERE id = ?",
            (
                w.first_seen.isoformat() if w.first_seen else None,
                w.last_seen.isoformat(),
                last,
                json.dumps(list(w.keys)),
                w.story_id,
            ),
        )
        c.execute("UPDATE tenant_stories SET last_us = ? WHERE story_id = ?", (last, w.story_id))
        c.executemany(
            "INSERT OR REPLACE INTO story_members (story_id, article_id, origin, doc) VALUES (?, ?, ?, ?)",
            [
                (w.story_id, m.article_id, w.origins.get(m.article_id, m.origin), member_dumps(m))
                for m in w.members
            ],
        )
        c.executemany(
            "UPDATE story_members SET origin = ? WHERE story_id = ? AND article_id = ?",
            [(o, w.story_id, aid) for aid, o in w.origins.items()],
        )
        # The lookups the write names (the story's keys, the new member's bands) get last_seen; an
        # older member's bands keep their own time, as in Redis: rewriting every row of a story at
        # each article made a write's cost grow with the story.
        c.executemany(
            "INSERT OR REPLACE INTO story_key_lookups (lookup, story_id, last_us) VALUES (?, ?, ?)",
            [(lookup, w.story_id, last) for lookup in w.lookups if lookup[:2] == "k:"],
        )
        c.executemany(
            "INSERT OR REPLACE INTO story_lookups (lookup, story_id, last_us) VALUES (?, ?, ?)",
            [(lookup, w.story_id, last) for lookup in w.lookups if lookup[:2] != "k:"],
        )
        c.executemany(
            "INSERT INTO story_key_versions VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET v = v + 1",
            [(lookup[2:],) for lookup in w.lookups if lookup[0] == "k"],
        )
    c.executemany(
        "INSERT OR REPLACE INTO story_notices (story_id, subscription_id, held, doc) VALUES (?, ?, ?, ?)",
        [(w.story_id, sub, int(n.held_since is not None), notice_dumps(n)) for sub, n in w.notices.items()],
    )
    c.execute("UPDATE story_heads SET v = v + 1 WHERE id = ?", (w.story_id,))
