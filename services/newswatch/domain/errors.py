"""Typed errors the engine routes on."""

from __future__ import annotations


class InvalidMessage(Exception):
    """A message that can never be processed: it is dead-lettered, never retried.

    `reason` is a short machine-readable slug (metrics label, DLQ field);
    `detail` is the human explanation (e.g. the schema errors).
    """

    def __init__(self, reason: str, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.errors = errors or []
