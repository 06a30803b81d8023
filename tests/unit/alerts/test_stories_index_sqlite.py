"""SQLite's stories index is filled from the alerts already stored when a database predates it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newswatch.alerts.ports import AlertKind, AlertRecord, Member, Story
from newswatch.store.alerts_sqlite import SQLiteAlerts
from newswatch.store.alerts_sqlite_stories import SQLiteStories
from newswatch.store.sqlite import SQLiteDB

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_an_existing_database_gets_its_stories_index_on_opening(tmp_path: Path) -> None:
    db = SQLiteDB(tmp_path / "s.sqlite3")
    stories, alerts = SQLiteStories(db), SQLiteAlerts(db)
    stories.save(Story("sty_1", NOW, NOW, ("k",), (Member("a1", "src", "src", seen_at=NOW),)), [])
    alerts.put(AlertRecord("alr_1", "sub_1", "acme", AlertKind.DETECTED, "sty_1", 0, {}, created_at=NOW))
    alerts.put(AlertRecord("tst_1", "sub_1", "acme", AlertKind.TEST, "", 0, {}, created_at=NOW))
    for table in ("tenant_stories", "story_alerts"):  # as a database written before the index
        db.conn().execute(f"DELETE FROM {table}")
    assert [s.id for s in SQLiteStories(db).list_stories(tenant="acme").items] == ["sty_1"]
    rows = db.conn().execute("SELECT tenant, story_id FROM tenant_stories ORDER BY tenant").fetchall()
    assert rows == [("", "sty_1"), ("acme", "sty_1")]
    detail = SQLiteStories(db).story_detail("sty_1", "acme")
    assert detail is not None and [a.id for a in detail.alerts] == ["alr_1"]
    db.close()
