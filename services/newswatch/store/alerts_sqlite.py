"""Subscriptions and alerts in the embedded SQLite database (ports in newswatch/alerts/ports.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

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
from newswatch.store.sqlite import SQLiteDB

REPLAYABLE = (AlertStatus.FAILED.value, AlertStatus.EXHAUSTED.value, AlertStatus.DISABLED.value)

_SUBS_DDL = """
CREATE TABLE IF NOT EXISTS subscriptions (
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL, enabled INTEGER NOT NULL, created_us INTEGER NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS subscriptions_tenant ON subscriptions (tenant, created_us);
CREATE TABLE IF NOT EXISTS subscriptions_version (
  one INTEGER PRIMARY KEY CHECK (one = 1), v INTEGER NOT NULL);
INSERT OR IGNORE INTO subscriptions_version VALUES (1, 0);
"""


class SQLiteSubscriptions:
    def __init__(self, db: SQLiteDB, clock: Callable[[], datetime] = _utcnow) -> None:
        self._db, self._clock = db, clock
        db.migrate(_SUBS_DDL)

    def create(self, sub: Subscription) -> Subscription:
        created = sub.created_at or self._clock()
        sub = replace(sub, created_at=created)
        with self._db.transaction() as c:
            if c.execute("SELECT 1 FROM subscriptions WHERE id = ?", (sub.id,)).fetchone():
                raise AlreadyExists("subscription", sub.id)
            c.execute(
                "INSERT INTO subscriptions (id, tenant, enabled, created_us, doc) VALUES (?, ?, ?, ?, ?)",
                (sub.id, sub.tenant, int(sub.enabled), micros(created), sub_dumps(sub)),
            )
            c.execute("UPDATE subscriptions_version SET v = v + 1")
        return sub

    def get(self, sub_id: str) -> Subscription | None:
        row = self._db.conn().execute("SELECT doc FROM subscriptions WHERE id = ?", (sub_id,)).fetchone()
        return sub_loads(row[0]) if row else None

    def list_by_tenant(self, tenant: str | None) -> list[Subscription]:
        where, args = ("WHERE tenant = ?", (tenant,)) if tenant is not None else ("", ())
        q = f"SELECT doc FROM subscriptions {where} ORDER BY created_us, id"
        return [sub_loads(r[0]) for r in self._db.conn().execute(q, args)]

    def update(self, sub: Subscription) -> Subscription | None:
        with self._db.transaction() as c:
            row = c.execute("SELECT doc FROM subscriptions WHERE id = ?", (sub.id,)).fetchone()
            if row is None:
                return None
            old = sub_loads(row[0])
            sub = as_update_of(sub, old)
            c.execute(
                "UPDATE subscriptions SET enabled = ?, doc = ? WHERE id = ?",
                (int(sub.enabled), sub_dumps(sub), sub.id),
            )
            c.execute("UPDATE subscriptions_version SET v = v + 1")
        return sub

    def rotate_secret(self, sub_id: str, secret: str, previous_until: datetime) -> Subscription | None:
        with self._db.transaction() as c:
            row = c.execute("SELECT doc FROM subscriptions WHERE id = ?", (sub_id,)).fetchone()
            if row is None:
                return None
            old = sub_loads(row[0])
            sub = replace(
                old, secret=secret, previous_secret=old.secret, previous_secret_until=previous_until
            )
            c.execute("UPDATE subscriptions SET doc = ? WHERE id = ?", (sub_dumps(sub), sub_id))
            c.execute("UPDATE subscriptions_version SET v = v + 1")
        return sub

    def delete(self, sub_id: str) -> bool:
        with self._db.transaction() as c:
            gone = c.execute("DELETE FROM subscriptions WHERE id = ?", (sub_id,)).rowcount > 0
            c.execute("UPDATE subscriptions_version SET v = v + 1")
        return gone

    def set_enabled(self, sub_id: str, enabled: bool) -> bool:
        sub = self.get(sub_id)
        return sub is not None and self.update(replace(sub, enabled=enabled)) is not None

    def all_active(self) -> list[Subscription]:
        rows = self._db.conn().execute(
            "SELECT doc FROM subscriptions WHERE enabled = 1 ORDER BY created_us, id"
        )
        return [sub_loads(r[0]) for r in rows]

    def version(self) -> int:
        return int(self._db.conn().execute("SELECT v FROM subscriptions_version").fetchone()[0])


_ALERTS_DDL = """
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, tenant TEXT NOT NULL, created_us INTEGER NOT NULL,
  status TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_sub ON alerts (subscription_id, created_us, id);
CREATE INDEX IF NOT EXISTS alerts_tenant ON alerts (tenant, created_us, id);
CREATE INDEX IF NOT EXISTS alerts_time ON alerts (created_us, id);
-- Story heads (written by newswatch/store/alerts_sqlite_stories.py) are created here too: filing an
-- alert's story reads its last_seen.
CREATE TABLE IF NOT EXISTS story_heads (
  id TEXT PRIMARY KEY, first TEXT, last TEXT, last_us INTEGER, keys TEXT NOT NULL DEFAULT '[]',
  facts TEXT NOT NULL DEFAULT '{}', v INTEGER NOT NULL);
-- The stories API's index: the stories each tenant (and, as tenant '', anyone) was alerted on,
-- with the story's last_seen, so a page reads only its own rows.
CREATE TABLE IF NOT EXISTS tenant_stories (
  tenant TEXT NOT NULL, story_id TEXT NOT NULL, last_us INTEGER NOT NULL, PRIMARY KEY (tenant, story_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tenant_stories_recent ON tenant_stories (tenant, last_us, story_id);
CREATE INDEX IF NOT EXISTS tenant_stories_story ON tenant_stories (story_id);
-- And the alerts about each story, for one story's page.
CREATE TABLE IF NOT EXISTS story_alerts (
  story_id TEXT NOT NULL, created_us INTEGER NOT NULL, alert_id TEXT NOT NULL,
  PRIMARY KEY (story_id, created_us, alert_id)
) WITHOUT ROWID;
"""
ANY_TENANT = ""  # tenant_stories rows of the admin's view (tenant names are never empty)


def index_story(c: sqlite3.Connection, alert: AlertRecord) -> None:
    """File the alert's story under its tenant and under ANY_TENANT, with the story's last_seen
    when it is stored (its next write sets it otherwise), and the alert under its story.
    Subscription tests and digests name no story and are not filed."""
    if alert.kind == AlertKind.TEST or not alert.story_id:
        return
    last = c.execute("SELECT last_us FROM story_heads WHERE id = ?", (alert.story_id,)).fetchone()
    c.executemany(
        "INSERT OR IGNORE INTO tenant_stories VALUES (?, ?, ?)",
        [(t, alert.story_id, int(last[0] or 0) if last else 0) for t in (alert.tenant, ANY_TENANT)],
    )
    created = micros(alert.created_at) if alert.created_at else 0
    c.execute("INSERT OR IGNORE INTO story_alerts VALUES (?, ?, ?)", (alert.story_id, created, alert.id))


class SQLiteAlerts:
    def __init__(self, db: SQLiteDB, clock: Callable[[], datetime] = _utcnow) -> None:
        self._db, self._clock = db, clock
        db.migrate(_ALERTS_DDL)

    def put(self, alert: AlertRecord) -> bool:
        created = alert.created_at or self._clock()
        alert = replace(alert, created_at=created)
        with self._db.transaction() as c:
            cur = c.execute(
                "INSERT OR IGNORE INTO alerts (id, subscription_id, tenant, created_us, status, doc)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    alert.id,
                    alert.subscription_id,
                    alert.tenant,
                    micros(created),
                    alert.status.value,
                    alert_dumps(alert),
                ),
            )
            if cur.rowcount > 0:
                index_story(c, alert)
        return cur.rowcount > 0

    def get(self, alert_id: str) -> AlertRecord | None:
        row = self._db.conn().execute("SELECT doc, status FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return alert_loads(row[0], row[1]) if row else None

    def set_status(self, alert_id: str, status: AlertStatus) -> bool:
        status = AlertStatus(status)  # ValueError on an unknown status from an untyped caller
        cur = self._db.conn().execute("UPDATE alerts SET status = ? WHERE id = ?", (status.value, alert_id))
        return cur.rowcount > 0

    def list_alerts(
        self,
        *,
        tenant: str | None,
        subscription_id: str | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page:
        where: list[str] = ["created_us >= ?"]
        args: list[object] = [micros(since) if since else 0]
        for column, value in (("tenant", tenant), ("subscription_id", subscription_id)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if cursor:
            us, last_id = cursor_decode(cursor)
            where.append("(created_us < ? OR (created_us = ? AND id < ?))")
            args += [us, us, last_id]
        q = (
            f"SELECT doc, status, created_us FROM alerts WHERE {' AND '.join(where)}"
            " ORDER BY created_us DESC, id DESC LIMIT ?"
        )
        rows = self._db.conn().execute(q, (*args, limit + 1)).fetchall()
        items = tuple(alert_loads(d, s) for d, s, _ in rows[:limit])
        more = len(rows) > limit
        return Page(items, cursor_encode(rows[limit - 1][2], items[-1].id) if more else None)

    def for_replay(self, subscription_id: str, since: datetime, only_failed: bool) -> list[AlertRecord]:
        # A digest's story alerts are delivered inside it: replaying the digest replays them.
        q = "SELECT doc, status FROM alerts WHERE subscription_id = ? AND created_us >= ? AND status != ?"
        args: list[object] = [subscription_id, micros(since), AlertStatus.IN_DIGEST.value]
        if only_failed:
            q += f" AND status IN ({','.join('?' * len(REPLAYABLE))})"
            args += REPLAYABLE
        rows = self._db.conn().execute(q + " ORDER BY created_us, id", args)
        return [alert_loads(d, s) for d, s in rows]
