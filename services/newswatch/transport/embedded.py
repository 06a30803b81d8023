"""The embedded queue: a durable append-only log in SQLite, with consumer-group offsets.

The no-servers twin of Kafka, passing the same contract suite. Each topic is one partition
(partition 0) whose offsets count from 0. Offsets come from a persisted per-topic sequence, never
from the rows left after a prune: a group committed at N must never see new messages numbered below N.
A consumer starts at its group's committed offset, so whatever was polled but not committed before
a crash or close is delivered again (at least once).

One `EmbeddedLog` per database file per process: it owns the in-process wake-up condition, so a
consumer blocked in `poll` returns as soon as a producer of the same log flushes. Producers in other
processes are noticed by re-reading every `embedded_clients.CROSS_PROCESS_POLL_S`. Connections are
per thread.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from newswatch.transport.base import Envelope, Position
from newswatch.transport.embedded_clients import EmbeddedConsumer, EmbeddedProducer

__all__ = ["EmbeddedConsumer", "EmbeddedLog", "EmbeddedProducer"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queue_messages (
    topic TEXT NOT NULL, offset INTEGER NOT NULL, key BLOB, payload BLOB NOT NULL,
    ts_ms INTEGER NOT NULL, PRIMARY KEY (topic, offset)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS queue_offsets (
    grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
    PRIMARY KEY (grp, topic, partition)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS queue_sequences (
    topic TEXT PRIMARY KEY, next_offset INTEGER NOT NULL) WITHOUT ROWID;
"""


class EmbeddedLog:
    """A SQLite file holding every topic; hands out producers and consumers on it."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.appended = threading.Condition()
        self._local = threading.local()
        with self.connection() as db:
            db.executescript(_SCHEMA)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (WAL; writers wait up to 30 s for the lock)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process
            self._local.db = db
        return db

    def producer(self) -> EmbeddedProducer:
        return EmbeddedProducer(self)

    def consumer(self, group: str, topics: Iterable[str]) -> EmbeddedConsumer:
        return EmbeddedConsumer(self, group, list(topics))

    def append(self, batch: list[tuple[str, bytes | None, bytes]]) -> None:
        """Append (topic, key, payload) rows in one transaction, then wake waiting consumers."""
        db = self.connection()
        now_ms = int(time.time() * 1000)
        db.execute("BEGIN IMMEDIATE")  # serialises offset assignment across threads and processes
        try:
            next_offsets: dict[str, int] = {}
            for topic, key, payload in batch:
                if topic not in next_offsets:
                    next_offsets[topic] = _next_offset(db, topic)
                offset = next_offsets[topic]
                next_offsets[topic] = offset + 1
                db.execute(
                    "INSERT INTO queue_messages VALUES (?,?,?,?,?)", (topic, offset, key, payload, now_ms)
                )
            db.executemany(
                "INSERT INTO queue_sequences VALUES (?,?) ON CONFLICT (topic) DO UPDATE SET "
                "next_offset=excluded.next_offset",
                list(next_offsets.items()),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        with self.appended:
            self.appended.notify_all()

    def join(self, group: str, topic: str) -> int:
        """Record the group as a reader of `topic` (so prune keeps its messages); its next offset."""
        self.connection().execute("INSERT OR IGNORE INTO queue_offsets VALUES (?,?,0,0)", (group, topic))
        return self.committed(group, topic)

    def committed(self, group: str, topic: str) -> int:
        """The group's next offset to read in `topic` (0 when it never committed)."""
        row = (
            self.connection()
            .execute(
                "SELECT next_offset FROM queue_offsets WHERE grp=? AND topic=? AND partition=0",
                (group, topic),
            )
            .fetchone()
        )
        return 0 if row is None else int(row[0])

    def commit(self, group: str, next_offsets: dict[str, int]) -> None:
        self.connection().executemany(
            "INSERT INTO queue_offsets VALUES (?,?,0,?) ON CONFLICT (grp, topic, partition) "
            "DO UPDATE SET next_offset=excluded.next_offset",
            [(group, topic, offset) for topic, offset in next_offsets.items()],
        )

    def read(self, topic: str, from_offset: int, limit: int) -> list[Envelope]:
        rows = self.connection().execute(
            "SELECT offset, key, payload, ts_ms FROM queue_messages "
            "WHERE topic=? AND offset>=? ORDER BY offset LIMIT ?",
            (topic, from_offset, limit),
        )
        return [
            Envelope(bytes(p), Position(topic, 0, o), None if k is None else bytes(k), ts)
            for o, k, p, ts in rows
        ]

    def end_offset(self, topic: str) -> int:
        """The offset the next message appended to `topic` will get."""
        return _next_offset(self.connection(), topic)

    def backlog(self, group: str, topic: str) -> int:
        """Messages of `topic` the group has not committed yet."""
        return max(0, self.end_offset(topic) - self.committed(group, topic))

    def prune(self, topic: str) -> int:
        """Delete messages every group has committed; returns how many. Offsets are never reused.

        Every group that ever opened a consumer on `topic` counts, committed or not. Call it now and
        then from a long-running process, or the file grows with every message ever appended.
        """
        db = self.connection()
        (low,) = db.execute("SELECT MIN(next_offset) FROM queue_offsets WHERE topic=?", (topic,)).fetchone()
        if low is None:
            return 0
        return db.execute("DELETE FROM queue_messages WHERE topic=? AND offset<?", (topic, low)).rowcount


def _next_offset(db: sqlite3.Connection, topic: str) -> int:
    """The topic's sequence; a file written before sequences existed starts past everything it knows.

    That fallback covers both the rows still there and every group's committed offset, so even
    a file whose table was pruned empty resumes above what any reader has consumed.
    """
    row = db.execute("SELECT next_offset FROM queue_sequences WHERE topic=?", (topic,)).fetchone()
    if row is not None:
        return int(row[0])
    (last,) = db.execute("SELECT MAX(offset) FROM queue_messages WHERE topic=?", (topic,)).fetchone()
    (committed,) = db.execute("SELECT MAX(next_offset) FROM queue_offsets WHERE topic=?", (topic,)).fetchone()
    return max(-1 if last is None else int(last) + 1, 0 if committed is None else int(committed), 0)
