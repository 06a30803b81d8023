"""The SQLite story store keeps blocking-key lookups apart from LSH band lookups, and moves the key
lookups of a database written before that split, so its open stories are still found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from newswatch.store.alerts_sqlite_stories import SQLiteStories
from newswatch.store.sqlite import SQLiteDB

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OLD_LAYOUT = """
CREATE TABLE story_lookups (
  lookup TEXT NOT NULL, story_id TEXT NOT NULL, last_us INTEGER NOT NULL, PRIMARY KEY (lookup, story_id)
) WITHOUT ROWID;
CREATE INDEX story_lookups_recent ON story_lookups (lookup, last_us);
"""


def _us(t: datetime) -> int:
    return int(t.timestamp() * 1_000_000)


def test_key_lookups_of_an_older_database_are_moved_and_still_found(tmp_path: Path) -> None:
    db = SQLiteDB(tmp_path / "old.sqlite3")
    db.migrate(OLD_LAYOUT)
    rows = [
        ("k:strike@UA-63", "sty_a", _us(NOW - timedelta(minutes=5))),
        ("k:strike@UA-63", "sty_b", _us(NOW - timedelta(minutes=1))),
        ("b:3:00ff", "sty_a", _us(NOW - timedelta(minutes=5))),
    ]
    db.conn().executemany("INSERT INTO story_lookups VALUES (?, ?, ?)", rows)

    stories = SQLiteStories(db)

    c = db.conn()
    assert c.execute("SELECT lookup FROM story_lookups").fetchall() == [("b:3:00ff",)]
    assert sorted(c.execute("SELECT lookup, story_id FROM story_key_lookups").fetchall()) == [
        ("k:strike@UA-63", "sty_a"),
        ("k:strike@UA-63", "sty_b"),
    ]
    assert c.execute("SELECT name FROM sqlite_master WHERE name = 'story_lookups_recent'").fetchall() == []
    hits = stories._hits(["k:strike@UA-63", "b:3:00ff"], NOW - timedelta(hours=1), 4)
    assert [sid for sid, _ in hits["k:strike@UA-63"]] == ["sty_b", "sty_a"]
    assert [sid for sid, _ in hits["b:3:00ff"]] == ["sty_a"]
    SQLiteStories(db)  # opening again moves nothing twice and keeps both tables
    assert c.execute("SELECT count(*) FROM story_key_lookups").fetchone() == (2,)
    db.close()
