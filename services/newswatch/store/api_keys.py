"""Tenant API keys: created once, shown once, stored only as a hash; listed and revoked by id.

Keys are 256-bit random tokens, so a plain SHA-256 is enough to make a leaked
store useless (no password-style slow hash needed for such entropy). A key's
public `id` is derived from its hash (`key_` + 16 hex digits), so it can be
listed and revoked without the secret ever being stored; `hint` keeps the
first characters of the key so its owner can tell which one is which.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import redis

from newswatch.store.redis import Keys, text
from newswatch.store.sqlite import SQLiteDB

KEY_PREFIX = "nwk_"
HINT_CHARS = len(KEY_PREFIX) + 4


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def key_id(hashed: str) -> str:
    return "key_" + hashed[:16]


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What may be shown about a key: never the key itself."""

    id: str
    tenant: str
    hint: str | None = None  # the key's first characters, e.g. `nwk_Ab3x`
    created_at: datetime | None = None


class ApiKeyStore(Protocol):
    def create(self, tenant: str) -> str:
        """A new key for `tenant`; the plain key is returned once and never stored."""

    def tenant_for(self, key: str) -> str | None:
        """The tenant owning `key`, or None for an unknown (or revoked) key."""

    def list_keys(self, tenant: str | None) -> list[KeyInfo]:
        """A tenant's keys (every tenant's when None), oldest first."""

    def revoke(self, wanted: str) -> KeyInfo | None:
        """Delete the key whose id is `wanted`; its info, or None when there is none."""


def _now() -> datetime:
    return datetime.now(UTC)


def _sorted(infos: list[KeyInfo]) -> list[KeyInfo]:
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(infos, key=lambda k: (k.created_at or oldest, k.id))


class SQLiteApiKeys:
    def __init__(self, db: SQLiteDB) -> None:
        self._db = db
        # Keys from before listing existed have no meta row; they list with tenant only.
        db.migrate(
            "CREATE TABLE IF NOT EXISTS api_keys (key_hash TEXT PRIMARY KEY, tenant TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS api_key_meta (key_hash TEXT PRIMARY KEY, hint TEXT NOT NULL,"
            " created_at TEXT NOT NULL);"
        )

    def create(self, tenant: str) -> str:
        key = new_key()
        hashed = key_hash(key)
        with self._db.transaction() as c:
            c.execute("INSERT INTO api_keys (key_hash, tenant) VALUES (?, ?)", (hashed, tenant))
            c.execute(
                "INSERT INTO api_key_meta (key_hash, hint, created_at) VALUES (?, ?, ?)",
                (hashed, key[:HINT_CHARS], _now().isoformat()),
            )
        return key

    def tenant_for(self, key: str) -> str | None:
        row = (
            self._db.conn()
            .execute("SELECT tenant FROM api_keys WHERE key_hash = ?", (key_hash(key),))
            .fetchone()
        )
        return row[0] if row else None

    def list_keys(self, tenant: str | None) -> list[KeyInfo]:
        where, args = ("WHERE k.tenant = ?", (tenant,)) if tenant is not None else ("", ())
        rows = self._db.conn().execute(
            "SELECT k.key_hash, k.tenant, m.hint, m.created_at FROM api_keys k"
            f" LEFT JOIN api_key_meta m ON m.key_hash = k.key_hash {where}",
            args,
        )
        return _sorted([_info(h, t, hint, at) for h, t, hint, at in rows])

    def revoke(self, wanted: str) -> KeyInfo | None:
        found = next((k for k in self.list_keys(None) if k.id == wanted), None)
        if found is None:
            return None
        with self._db.transaction() as c:
            for (hashed,) in c.execute("SELECT key_hash FROM api_keys").fetchall():
                if key_id(hashed) == wanted:
                    c.execute("DELETE FROM api_keys WHERE key_hash = ?", (hashed,))
                    c.execute("DELETE FROM api_key_meta WHERE key_hash = ?", (hashed,))
        return found


def _info(hashed: str, tenant: str, hint: str | None, created_at: str | None) -> KeyInfo:
    return KeyInfo(key_id(hashed), tenant, hint, datetime.fromisoformat(created_at) if created_at else None)


class RedisApiKeys:
    """`api_keys` hash: key hash -> tenant; `api_keys:meta` hash: key hash -> {hint, created_at}."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._r = client
        self._hash = keys("api_keys")
        self._meta = keys("api_keys", "meta")

    def create(self, tenant: str) -> str:
        key = new_key()
        hashed = key_hash(key)
        meta = json.dumps({"hint": key[:HINT_CHARS], "created_at": _now().isoformat()})
        pipe = self._r.pipeline()  # MULTI/EXEC: both or neither
        pipe.hset(self._hash, hashed, tenant)
        pipe.hset(self._meta, hashed, meta)
        pipe.execute()
        return key

    def tenant_for(self, key: str) -> str | None:
        raw = self._r.hget(self._hash, key_hash(key))
        return text(raw) if raw is not None else None

    def _all(self) -> list[tuple[str, KeyInfo]]:
        tenants = {text(h): text(t) for h, t in self._r.hgetall(self._hash).items()}
        metas = {text(h): json.loads(m) for h, m in self._r.hgetall(self._meta).items()}
        out = []
        for hashed, tenant in tenants.items():
            meta = metas.get(hashed, {})
            out.append((hashed, _info(hashed, tenant, meta.get("hint"), meta.get("created_at"))))
        return out

    def list_keys(self, tenant: str | None) -> list[KeyInfo]:
        return _sorted([info for _, info in self._all() if tenant is None or info.tenant == tenant])

    def revoke(self, wanted: str) -> KeyInfo | None:
        for hashed, info in self._all():
            if info.id == wanted:
                pipe = self._r.pipeline()
                pipe.hdel(self._hash, hashed)
                pipe.hdel(self._meta, hashed)
                pipe.execute()
                return info
        return None
