"""The analysis store: the latest analysis (schemas/analysis.v1 dict) per article id.

Processing is at least once, so `put` overwrites: the same article analysed
twice leaves one entry.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import redis

from newswatch.store.redis import Keys
from newswatch.store.sqlite import SQLiteDB


class AnalysisStore(Protocol):
    def put(self, article_id: str, analysis: dict[str, Any]) -> None:
        """Store (or replace) the analysis of `article_id` durably before returning."""

    def get(self, article_id: str) -> dict[str, Any] | None:
        """The stored analysis, or None."""

    def count(self) -> int:
        """How many articles have an analysis."""


class SQLiteAnalyses:
    def __init__(self, db: SQLiteDB) -> None:
        self._db = db
        db.migrate(
            "CREATE TABLE IF NOT EXISTS analyses (article_id TEXT PRIMARY KEY, analysis TEXT NOT NULL);"
        )

    def put(self, article_id: str, analysis: dict[str, Any]) -> None:
        self._db.conn().execute(
            "INSERT OR REPLACE INTO analyses (article_id, analysis) VALUES (?, ?)",
            (article_id, json.dumps(analysis, ensure_ascii=False)),
        )

    def get(self, article_id: str) -> dict[str, Any] | None:
        row = (
            self._db.conn()
            .execute("SELECT analysis FROM analyses WHERE article_id = ?", (article_id,))
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    def count(self) -> int:
        return int(self._db.conn().execute("SELECT COUNT(*) FROM analyses").fetchone()[0])


class RedisAnalyses:
    """One hash: article id -> analysis JSON."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._r = client
        self._hash = keys("analyses")

    def put(self, article_id: str, analysis: dict[str, Any]) -> None:
        self._r.hset(self._hash, article_id, json.dumps(analysis, ensure_ascii=False))

    def get(self, article_id: str) -> dict[str, Any] | None:
        raw = self._r.hget(self._hash, article_id)
        return json.loads(raw) if raw is not None else None

    def count(self) -> int:
        return int(self._r.hlen(self._hash))
