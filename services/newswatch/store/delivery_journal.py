"""The distributed worker's durable record of outcomes not yet written to Redis.

An attempt's outcome (attempt log record, alert status, the next attempt or the end) is written
here, in a local SQLite file, before it is applied to Redis. When Redis is away, the POST has
still happened: the row waits and a flusher applies it once Redis answers, so a delivered alert
does not stay "pending" and a retry is not lost. Rows are applied in steps (`step` counts the
steps done), so a retry after a partial failure does not log the attempt twice.

Several worker processes may share the file (WAL): a row is leased to one of them while it is
being applied, and a process that dies mid-apply leaves it to the next after the lease.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

_DDL = """
CREATE TABLE IF NOT EXISTS delivery_journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL,
  step INTEGER NOT NULL DEFAULT 0, leased_until REAL NOT NULL DEFAULT 0);
"""


@dataclass(frozen=True, slots=True)
class Entry:
    """One outcome to apply. `record`: a DeliveryAttempt as a dict, or None (nothing to log).

    `finished`: the attempt this outcome ends (0: none was made, e.g. the store was down before
    it). `following`/`due_at`: the next attempt and when (epoch s); None when the delivery is over.
    """

    alert_id: str
    finished: int
    record: dict[str, Any] | None = None
    status: str | None = None
    following: int | None = None
    due_at: float | None = None

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, raw: str) -> Entry:
        return cls(**json.loads(raw))


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    step: int
    entry: Entry


class Journal:
    """Thread-safe; one connection per thread."""

    def __init__(self, path: Path) -> None:
        self._path = str(path)
        if self._path != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conn().executescript(_DDL)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # survives a killed process
            self._local.conn = conn
        return conn

    def add(self, entry: Entry, now: float, lease_s: float) -> Row:
        """Store `entry`, leased to the caller (who applies it at once) until `now + lease_s`."""
        cur = self._conn().execute(
            "INSERT INTO delivery_journal (entry, leased_until) VALUES (?, ?)", (entry.dumps(), now + lease_s)
        )
        return Row(int(cur.lastrowid or 0), 0, entry)

    def claim(self, now: float, lease_s: float, limit: int = 100) -> list[Row]:
        """Rows nobody is applying (oldest first), leased to the caller."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = conn.execute(
                "SELECT id, step, entry FROM delivery_journal WHERE leased_until <= ? ORDER BY id LIMIT ?",
                (now, limit),
            ).fetchall()
            conn.executemany(
                "UPDATE delivery_journal SET leased_until = ? WHERE id = ?",
                [(now + lease_s, r[0]) for r in rows],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return [Row(r[0], r[1], Entry.loads(r[2])) for r in rows]

    def progress(self, row: Row, step: int) -> None:
        self._conn().execute("UPDATE delivery_journal SET step = ? WHERE id = ?", (step, row.id))

    def release(self, row: Row) -> None:
        """Give a row back (applying it failed): any flusher may take it now."""
        self._conn().execute("UPDATE delivery_journal SET leased_until = 0 WHERE id = ?", (row.id,))

    def done(self, row: Row) -> None:
        self._conn().execute("DELETE FROM delivery_journal WHERE id = ?", (row.id,))

    def count(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM delivery_journal").fetchone()[0])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
