"""Tenant API keys: created once, shown once, stored only as a hash.

Keys are 256-bit random tokens, so a plain SHA-256 is enough to make a leaked
store useless (no password-style slow hash needed for such entropy).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Protocol

import redis

from newswatch.store.redis import Keys, text
from newswatch.store.sqlite import SQLiteDB

KEY_PREFIX = "nwk_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeyStore(Protocol):
    def create(self, tenant: str) -> str:
        """A new key for `tenant`; the plain key is returned once and never stored."""

    def tenant_for(self, key: str) -> str | None:
        """The tenant owning `key`, or None for an unknown key."""


class SQLiteApiKeys:
    def __init__(self, db: SQLiteDB) -> None:
        self._db = db
        db.migrate("CREATE TABLE IF NOT EXISTS api_keys (key_hash TEXT PRIMARY KEY, tenant TEXT NOT NULL);")

    def create(self, tenant: str) -> str:
        key = new_key()
        self._db.conn().execute(
            "INSERT INTO api_keys (key_hash, tenant) VALUES (?, ?)", (key_hash(key), tenant)
        )
        return key

    def tenant_for(self, key: str) -> str | None:
        row = (
            self._db.conn()
            .execute("SELECT tenant FROM api_keys WHERE key_hash = ?", (key_hash(key),))
            .fetchone()
        )
        return row[0] if row else None


class RedisApiKeys:
    """One hash: key hash -> tenant."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._r = client
        self._hash = keys("api_keys")

    def create(self, tenant: str) -> str:
        key = new_key()
        self._r.hset(self._hash, key_hash(key), tenant)
        return key

    def tenant_for(self, key: str) -> str | None:
        raw = self._r.hget(self._hash, key_hash(key))
        return text(raw) if raw is not None else None
