"""Stories, their lookup keys (blocking keys and LSH bands) and notices in SQLite."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from newswatch.alerts.ports import Candidate, Notice, Story
from newswatch.alerts.stories import candidates_from
from newswatch.store.alerts_codec import StoryCodec, micros, notice_dumps, notice_loads
from newswatch.store.sqlite import SQLiteDB

_DDL = """
CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, last_us INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS story_lookup (
  lookup TEXT NOT NULL, story_id TEXT NOT NULL, last_us INTEGER NOT NULL, PRIMARY KEY (lookup, story_id));
CREATE TABLE IF NOT EXISTS story_notices (
  story_id TEXT NOT NULL, subscription_id TEXT NOT NULL, held INTEGER NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (story_id, subscription_id));
CREATE INDEX IF NOT EXISTS story_notices_held ON story_notices (held) WHERE held = 1;
-- save() refreshes every lookup of one story: without this it scans the whole table.
CREATE INDEX IF NOT EXISTS story_lookup_story ON story_lookup (story_id);
"""

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class SQLiteStories:
    def __init__(self, db: SQLiteDB) -> None:
        self._db = db
        # Embedded mode plans in one process: a lock per database file, shared by every handle.
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(str(db.path.resolve()), threading.Lock())
        db.migrate(_DDL)
        self._codec = StoryCodec()

    @contextmanager
    def locked(self, keys: Sequence[str]) -> Iterator[None]:
        if not keys:
            yield
            return
        with self._lock:  # one lock for all keys: coarser than Redis, enough for one process
            yield

    def candidates(self, keys: Iterable[str], bands: Iterable[str], since: datetime) -> list[Candidate]:
        lookups = [f"k:{k}" for k in keys] + [f"b:{b}" for b in bands]
        if not lookups:
            return []
        q = (
            "SELECT lookup, story_id, last_us FROM story_lookup"
            f" WHERE lookup IN ({','.join('?' * len(lookups))}) AND last_us >= ?"
        )
        return candidates_from(self._db.conn().execute(q, (*lookups, micros(since))))

    def get_many(self, story_ids: Sequence[str]) -> list[Story]:
        found = [s for s in (self.get(i) for i in story_ids) if s is not None]
        return found

    def get(self, story_id: str) -> Story | None:
        row = self._db.conn().execute("SELECT doc FROM stories WHERE id = ?", (story_id,)).fetchone()
        return self._codec.loads(row[0], story_id) if row else None

    def save(self, story: Story, bands: Iterable[str]) -> None:
        last = micros(story.last_seen)
        lookups = [(f"k:{k}", story.id, last) for k in story.keys] + [
            (f"b:{b}", story.id, last) for b in bands
        ]
        with self._db.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO stories (id, last_us, doc) VALUES (?, ?, ?)",
                (story.id, last, self._codec.dumps(story)),
            )
            # Refresh every lookup of the story so older bands keep finding it while it is live.
            c.execute("UPDATE story_lookup SET last_us = ? WHERE story_id = ?", (last, story.id))
            c.executemany(
                "INSERT OR REPLACE INTO story_lookup (lookup, story_id, last_us) VALUES (?, ?, ?)", lookups
            )

    def notice(self, subscription_id: str, story_id: str) -> Notice | None:
        q = "SELECT doc FROM story_notices WHERE story_id = ? AND subscription_id = ?"
        row = self._db.conn().execute(q, (story_id, subscription_id)).fetchone()
        return notice_loads(row[0]) if row else None

    def save_notice(self, notice: Notice) -> None:
        self._db.conn().execute(
            "INSERT OR REPLACE INTO story_notices (story_id, subscription_id, held, doc) VALUES (?, ?, ?, ?)",
            (
                notice.story_id,
                notice.subscription_id,
                int(notice.held_since is not None),
                notice_dumps(notice),
            ),
        )

    def notices_for(self, story_id: str) -> list[Notice]:
        q = "SELECT doc FROM story_notices WHERE story_id = ? ORDER BY subscription_id"
        return [notice_loads(r[0]) for r in self._db.conn().execute(q, (story_id,))]

    def held(self) -> list[Notice]:
        q = "SELECT doc FROM story_notices WHERE held = 1 ORDER BY story_id, subscription_id"
        return [notice_loads(r[0]) for r in self._db.conn().execute(q)]

    def prune(self, before: datetime) -> int:
        cut = micros(before)
        with self._db.transaction() as c:
            gone = "SELECT id FROM stories WHERE last_us < ?"
            c.execute(f"DELETE FROM story_notices WHERE story_id IN ({gone})", (cut,))
            c.execute("DELETE FROM story_lookup WHERE last_us < ?", (cut,))
            return int(c.execute("DELETE FROM stories WHERE last_us < ?", (cut,)).rowcount)
