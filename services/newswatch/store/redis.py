"""Redis for the distributed state: a client from a URL and namespaced keys."""

from __future__ import annotations

from dataclasses import dataclass

import redis


def client_from_url(url: str) -> redis.Redis:
    """A thread-safe client (connection pool) for `redis://host:port/db`.

    Bytes in and out: stores decode what they read themselves.
    """
    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30)


@dataclass(frozen=True)
class Keys:
    """Builds keys under one prefix (`newswatch:` by default; tests use their own)."""

    prefix: str

    def __call__(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)


def text(raw: bytes | str) -> str:
    """A value read from Redis as str (the client returns bytes; its type hints allow str)."""
    return raw.decode("utf-8") if isinstance(raw, bytes) else raw
