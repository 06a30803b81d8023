"""The one backend fixture of the store contract suites: every suite runs on SQLite and on real Redis.

The Redis case carries the `redis` marker, so `make test-unit` and `make test-pure` (which deselect
it) never start a server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from newswatch.store.redis import Keys, client_from_url
from newswatch.store.sqlite import SQLiteDB

STORE_BACKENDS = ["sqlite", pytest.param("redis", marks=pytest.mark.redis)]


class StoreBackend:
    """Opens store handles on one private namespace; two handles share its data, as two processes would."""

    def __init__(self, kind: str, path: Path, client: redis.Redis | None, keys: Keys | None) -> None:
        self.kind, self._path, self._client, self._keys = kind, path, client, keys
        self._dbs: list[SQLiteDB] = []

    def open(self, sqlite_cls: Callable[..., Any], redis_cls: Callable[..., Any], **redis_kw: Any) -> Any:
        """A new handle: `sqlite_cls(SQLiteDB)` or `redis_cls(client, keys, **redis_kw)`."""
        if self._client is None or self._keys is None:
            self._dbs.append(SQLiteDB(self._path))
            return sqlite_cls(self._dbs[-1])
        return redis_cls(self._client, self._keys, **redis_kw)

    def close(self) -> None:
        for db in self._dbs:
            db.close()
        if self._client is not None:
            self._client.close()


@pytest.fixture(params=STORE_BACKENDS)
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreBackend]:
    if request.param == "sqlite":
        backend = StoreBackend("sqlite", tmp_path / "state.sqlite3", None, None)
    else:  # redis_prefix removes the namespace's keys after the test
        client = client_from_url(request.getfixturevalue("redis_url"))
        backend = StoreBackend("redis", tmp_path, client, Keys(request.getfixturevalue("redis_prefix")))
    yield backend
    backend.close()
