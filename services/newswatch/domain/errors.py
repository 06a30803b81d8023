"""Typed errors: what went wrong, in domain terms, for the engine and the API to route on.

Every error newswatch raises on purpose derives from `NewswatchError`, so a
stray `KeyError` or `ValueError` from a bug is never mistaken for one of
them. `newswatch.api.problems` maps each class to its HTTP status in one table.
"""

from __future__ import annotations


class NewswatchError(Exception):
    """Base of the errors newswatch raises on purpose; `detail` is the human explanation."""

    def __init__(self, detail: str, message: str | None = None) -> None:
        super().__init__(message or detail)
        self.detail = detail


class InvalidMessage(NewswatchError):
    """A message that can never be processed: it is dead-lettered, never retried.

    `reason` is a short machine-readable slug (metrics label, DLQ field);
    `detail` is the human explanation (e.g. the schema errors).
    """

    def __init__(self, reason: str, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail, f"{reason}: {detail}")
        self.reason = reason
        self.errors = errors or []


class AlreadyExists(NewswatchError):
    """A create named an id that is taken; `what` is the kind of record ("subscription")."""

    def __init__(self, what: str, id: str) -> None:
        super().__init__(f"{what} {id} exists")
        self.what, self.id = what, id


class NotFound(NewswatchError):
    """The record an operation needs does not exist."""

    def __init__(self, what: str, id: str) -> None:
        super().__init__(f"no {what} {id}")
        self.what, self.id = what, id


class Unavailable(NewswatchError):
    """A dependency did not answer in time; the operation may be retried after `retry_after` s."""

    kind = "unavailable"

    def __init__(self, detail: str, retry_after: float = 30.0) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class StoreUnavailable(Unavailable):
    """The state store (SQLite or Redis) failed or timed out."""

    kind = "store-unavailable"


class QueueUnavailable(Unavailable):
    """The queue (embedded log or Kafka) did not take a batch in time, or failed outright."""

    kind = "queue-unavailable"
