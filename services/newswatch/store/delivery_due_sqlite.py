"""The embedded due-delivery table: the embedded runner's durable queue.

One row per alert with a pending attempt. Workers claim a due row by pushing
its `due_at` one lease ahead, so a process that dies mid-delivery leaves the
row to be claimed again after restart (at-least-once; receivers dedupe on
`webhook-id`). Every add gets a fresh token: a replay enqueued while an older
run is in flight replaces it, and the older run's writes no longer match.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from newswatch.store.sqlite import SQLiteDB

_DDL = """
CREATE TABLE IF NOT EXISTS delivery_due (
  alert_id TEXT PRIMARY KEY, attempt INTEGER NOT NULL, due_at REAL NOT NULL, token TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_due_at ON delivery_due (due_at);
"""


@dataclass(frozen=True, slots=True)
class Claim:
    alert_id: str
    attempt: int
    token: str


class SQLiteDueDeliveries:
    def __init__(self, db: SQLiteDB) -> None:
        self._db = db
        db.migrate(_DDL)

    def add(self, alert_id: str, attempt: int, due_at: float) -> None:
        """Schedule `attempt` of `alert_id` at `due_at` (epoch s), replacing any pending one."""
        self._db.conn().execute(
            "INSERT INTO delivery_due VALUES (?, ?, ?, ?) ON CONFLICT (alert_id) DO UPDATE SET"
            " attempt = excluded.attempt, due_at = excluded.due_at, token = excluded.token",
            (alert_id, attempt, due_at, uuid.uuid4().hex),
        )

    def claim(self, now: float, lease: float) -> Claim | None:
        """The most overdue row, leased to the caller until `now + lease`; None if nothing is due."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT alert_id, attempt, token FROM delivery_due WHERE due_at <= ? ORDER BY due_at LIMIT 1",
                (now,),
            ).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE delivery_due SET due_at = ? WHERE alert_id = ?", (now + lease, row[0]))
        return Claim(row[0], row[1], row[2])

    def reschedule(self, claim: Claim, attempt: int, due_at: float) -> None:
        self._db.conn().execute(
            "UPDATE delivery_due SET attempt = ?, due_at = ? WHERE alert_id = ? AND token = ?",
            (attempt, due_at, claim.alert_id, claim.token),
        )

    def complete(self, claim: Claim) -> None:
        self._db.conn().execute(
            "DELETE FROM delivery_due WHERE alert_id = ? AND token = ?", (claim.alert_id, claim.token)
        )

    def pending(self) -> int:
        """How many alerts have an attempt scheduled (due now or later)."""
        (count,) = self._db.conn().execute("SELECT COUNT(*) FROM delivery_due").fetchone()
        return int(count)

    def next_due(self) -> float | None:
        """When the earliest row falls due (epoch s), to sleep exactly that long."""
        row = self._db.conn().execute("SELECT MIN(due_at) FROM delivery_due").fetchone()
        return None if row is None or row[0] is None else float(row[0])
