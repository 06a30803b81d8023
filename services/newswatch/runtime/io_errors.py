"""Which exceptions are I/O failures worth retrying; anything else from a message's processing is
the message's own fault (or a bug it triggers) and would fail the same way on every retry."""

from __future__ import annotations

import sqlite3

import redis
from kafka.errors import KafkaError
from kombu.exceptions import OperationalError as KombuOperationalError

from newswatch.transport.base import SendFailed

# redis.DataError is raised by the client before anything is sent (a value it cannot encode): a
# bug, not an outage. Every other RedisError comes from the connection or the server.
_IO = (OSError, redis.RedisError, KafkaError, KombuOperationalError, sqlite3.OperationalError, SendFailed)


def is_io_error(exc: BaseException) -> bool:
    """True when `exc`, or an exception it was raised from or while handling, is an I/O failure."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _IO) and not isinstance(current, redis.DataError):
            return True
        current = current.__cause__ or current.__context__
    return False
