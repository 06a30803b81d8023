"""The delivery attempt log in the embedded SQLite file."""

from __future__ import annotations

import json

from newswatch.delivery.log import AttemptPage, AttemptQuery, DeliveryAttempt
from newswatch.store.sqlite import SQLiteDB

_DDL = """
CREATE TABLE IF NOT EXISTS delivery_attempts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant TEXT NOT NULL, subscription_id TEXT NOT NULL, alert_id TEXT NOT NULL,
  at REAL NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_attempts_tenant ON delivery_attempts (tenant, seq);
CREATE INDEX IF NOT EXISTS delivery_attempts_sub ON delivery_attempts (subscription_id, seq);
CREATE INDEX IF NOT EXISTS delivery_attempts_alert ON delivery_attempts (alert_id, seq);
"""


class SQLiteDeliveryLog:
    def __init__(self, db: SQLiteDB) -> None:
        self._db = db
        db.migrate(_DDL)

    def append(self, attempt: DeliveryAttempt) -> None:
        self._db.conn().execute(
            "INSERT INTO delivery_attempts (tenant, subscription_id, alert_id, at, record)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                attempt.tenant,
                attempt.subscription_id,
                attempt.alert_id,
                attempt.at.timestamp(),
                json.dumps(attempt.to_dict()),
            ),
        )

    def list_attempts(self, q: AttemptQuery) -> AttemptPage:
        where: list[str] = ["seq < ?"]
        args: list[object] = [int(q.cursor) if q.cursor else 2**62]
        for column, value in (
            ("tenant", q.tenant),
            ("subscription_id", q.subscription_id),
            ("alert_id", q.alert_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if q.since is not None:
            where.append("at >= ?")
            args.append(q.since.timestamp())
        rows = (
            self._db.conn()
            .execute(
                f"SELECT seq, record FROM delivery_attempts WHERE {' AND '.join(where)}"
                " ORDER BY seq DESC LIMIT ?",
                (*args, q.limit + 1),
            )
            .fetchall()
        )
        items = tuple(DeliveryAttempt.from_dict(json.loads(r[1])) for r in rows[: q.limit])
        return AttemptPage(items, str(rows[q.limit - 1][0]) if len(rows) > q.limit else None)
