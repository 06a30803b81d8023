"""The analysis store: the latest analysis (schemas/analysis.v1 dict) per article id.

Processing is at least once, so `put` overwrites: the same article analysed
twice leaves one entry. The embedded mode keeps every analysis in SQLite; in distributed mode the
worker writes each to Redis under a key of its own that expires (`analyses_ttl_s`), so the API can
serve `GET /v1/analyses/{id}` while the `analyses` topic stays the durable record.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

import redis

from newswatch.store.redis import Keys
from newswatch.store.sqlite import SQLiteDB


class AnalysisStore(Protocol):
    def put(self, article_id: str, analysis: dict[str, Any]) -> None:
        """Store (or replace) the analysis of `article_id` durably before returning."""

    def put_many(self, encoded: Sequence[tuple[str, bytes]]) -> None:
        """Store (or replace) several analyses given as (article id, analysis.v1 JSON bytes), at once."""

    def get(self, article_id: str) -> dict[str, Any] | None:
        """The stored analysis, or None."""

    def count(self) -> int:
        """How many articles have an analysis (a scan in Redis: for tests and operators)."""


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

    def put_many(self, encoded: Sequence[tuple[str, bytes]]) -> None:
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO analyses (article_id, analysis) VALUES (?, ?)",
                [(article_id, raw.decode("utf-8")) for article_id, raw in encoded],
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
    """One string key per article (`<prefix>analysis:<id>`), expiring `ttl_s` after its last write.

    A key per article rather than one hash: Redis 7.0 expires whole keys only. `ttl_s=None` keeps
    them forever.
    """

    def __init__(self, client: redis.Redis, keys: Keys, ttl_s: int | None = None) -> None:
        self._r = client
        self._keys = keys
        self._ttl = ttl_s or None

    def _key(self, article_id: str) -> str:
        return self._keys("analysis", article_id)

    def put(self, article_id: str, analysis: dict[str, Any]) -> None:
        self._r.set(self._key(article_id), json.dumps(analysis, ensure_ascii=False), ex=self._ttl)

    def put_many(self, encoded: Sequence[tuple[str, bytes]]) -> None:
        if not encoded:
            return
        pipe = self._r.pipeline(transaction=False)
        for article_id, raw in encoded:
            pipe.set(self._key(article_id), raw, ex=self._ttl)
        pipe.execute()

    def get(self, article_id: str) -> dict[str, Any] | None:
        raw = self._r.get(self._key(article_id))
        return json.loads(raw) if raw is not None else None

    def count(self) -> int:
        return sum(1 for _ in self._r.scan_iter(match=self._key("*"), count=1000))
