"""SQLite for the embedded state: one file, WAL mode, one connection per thread.

Every store shares one `SQLiteDB` and creates its own tables with
`CREATE TABLE IF NOT EXISTS` (`migrate`), so adding a store never needs a
migration step. WAL lets the API threads read while the pipeline thread
writes; `synchronous=NORMAL` in WAL mode keeps committed data across a crash
of the process (kill -9), though not necessarily across a power loss.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CACHE_KIB = 64 * 1024  # per connection
BUSY_TIMEOUT_MS = 10_000  # writers wait for each other instead of failing with "database is locked"


class SQLiteDB:
    """A database file and the per-thread connections to it. Thread-safe."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        # isolation_level=None: autocommit unless `transaction()` opens one explicitly.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # The story lookups take random-order inserts across a large index: with the default 2 MB
        # page cache each one re-read pages and the planner slowed as open stories grew.
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        with self._lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on this thread's connection."""
        conn = self.conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def migrate(self, ddl: str) -> None:
        """Run idempotent schema statements (CREATE ... IF NOT EXISTS)."""
        self.conn().executescript(ddl)

    def close(self) -> None:
        """Close every connection of every thread; later use opens new ones."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()
