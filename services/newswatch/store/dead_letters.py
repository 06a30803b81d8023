"""The dead-letter store: input that can never be processed, kept with why and where from.

Records are `schemas/dead-letter.v1` objects. The embedded runtime and the API
write here; the distributed worker produces the same records to `articles.dlq`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any, Protocol

import redis

from newswatch.domain.errors import InvalidMessage
from newswatch.store.redis import Keys, text
from newswatch.store.sqlite import SQLiteDB

REDIS_KEEP = 10_000  # newest records kept in Redis; counts stay totals

# A record must fit one Kafka request (1 MiB by default) whatever it rejects: the original is kept
# up to ORIGINAL_KEEP_BYTES (base64 makes that ~683 KB) and every free-text field is cut, so the
# whole record stays under ~800 KB even when each field is at its worst (JSON escapes included).
ORIGINAL_KEEP_BYTES = 512 * 1024
DETAIL_CHARS = 2_000
ERRORS_KEPT = 10
ERROR_FIELD_CHARS = 500


def dead_letter_record(
    exc: InvalidMessage, original: bytes | None, source: dict[str, Any], received_at: datetime
) -> dict[str, Any]:
    """The dead-letter.v1 record for `original` rejected with `exc`; `source` has at least `transport`.

    `original_size` and `original_sha256` describe the whole original; `original` holds at most its
    first ORIGINAL_KEEP_BYTES (`original_truncated` says when it was cut). A tombstone (None) is
    kept as an empty original.
    """
    raw = original or b""
    kept = raw[:ORIGINAL_KEEP_BYTES]
    return {
        "version": "1",
        "reason": exc.reason,
        "detail": _cut(exc.detail, DETAIL_CHARS),
        "errors": [
            {k: _cut(str(v), ERROR_FIELD_CHARS) for k, v in e.items() if k in ("path", "message")}
            for e in exc.errors[:ERRORS_KEPT]
        ],
        "original": base64.b64encode(kept).decode("ascii"),
        "original_size": len(raw),
        "original_sha256": hashlib.sha256(raw).hexdigest(),
        "original_truncated": len(kept) < len(raw),
        "source": source,
        "received_at": received_at.isoformat().replace("+00:00", "Z"),
    }


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


class DeadLetterStore(Protocol):
    def put(self, record: dict[str, Any]) -> None:
        """Store one dead-letter.v1 record durably before returning."""

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest records first, at most `limit`."""

    def count_by_reason(self) -> dict[str, int]:
        """How many records were ever stored, per reason (reasons never seen are absent)."""


class SQLiteDeadLetters:
    def __init__(self, db: SQLiteDB) -> None:
        self._db = db
        db.migrate(
            "CREATE TABLE IF NOT EXISTS dead_letters ("
            " seq INTEGER PRIMARY KEY AUTOINCREMENT, reason TEXT NOT NULL, record TEXT NOT NULL);"
            "CREATE INDEX IF NOT EXISTS dead_letters_reason ON dead_letters (reason);"
        )

    def put(self, record: dict[str, Any]) -> None:
        self._db.conn().execute(
            "INSERT INTO dead_letters (reason, record) VALUES (?, ?)", (record["reason"], json.dumps(record))
        )

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._db.conn().execute("SELECT record FROM dead_letters ORDER BY seq DESC LIMIT ?", (limit,))
        return [json.loads(r[0]) for r in rows]

    def count_by_reason(self) -> dict[str, int]:
        rows = self._db.conn().execute("SELECT reason, COUNT(*) FROM dead_letters GROUP BY reason")
        return {reason: n for reason, n in rows}


class RedisDeadLetters:
    """A capped list of the newest records plus a hash of total counts per reason."""

    def __init__(self, client: redis.Redis, keys: Keys, keep: int = REDIS_KEEP) -> None:
        self._r = client
        self._list = keys("dead_letters")
        self._counts = keys("dead_letters", "counts")
        self._keep = keep

    def put(self, record: dict[str, Any]) -> None:
        pipe = self._r.pipeline(transaction=True)
        pipe.lpush(self._list, json.dumps(record))
        pipe.ltrim(self._list, 0, self._keep - 1)
        pipe.hincrby(self._counts, record["reason"], 1)
        pipe.execute()

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        return [json.loads(raw) for raw in self._r.lrange(self._list, 0, limit - 1)]

    def count_by_reason(self) -> dict[str, int]:
        return {text(k): int(v) for k, v in self._r.hgetall(self._counts).items()}
