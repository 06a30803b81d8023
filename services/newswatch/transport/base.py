"""The queue interface: an envelope around payload bytes, plus producer and consumer.

Domain code never sees these; the runtimes unwrap envelopes and hand raw bytes
to the pipeline. Two backends implement it and pass one contract suite
(tests/contract/test_queue_contract.py): the embedded SQLite-backed log and Kafka.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Position:
    """Where a message sits in its log (Kafka topic/partition/offset or the embedded equivalent)."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class Envelope:
    payload: bytes | None  # None: a Kafka tombstone (a record without a value)
    position: Position
    key: bytes | None = None
    timestamp_ms: int | None = None  # broker/log append time


@dataclass(frozen=True, slots=True)
class OutRecord:
    """A message to produce: where, keyed how, and its bytes."""

    topic: str
    key: bytes | None
    payload: bytes


class SendFailed(RuntimeError):
    """`flush` could not store some produced messages; `records` are exactly those (the rest are stored).

    A caller that wants them stored produces them again: re-sending only these keeps a retried
    batch from writing its other messages twice.
    """

    def __init__(self, message: str, records: list[OutRecord]) -> None:
        super().__init__(message)
        self.records = records


class Producer(Protocol):
    def produce(self, topic: str, payload: bytes, key: bytes | None = None) -> None:
        """Queue a message for sending. May block when the send buffer is full."""

    def flush(self, timeout_s: float | None = None) -> None:
        """Block until every produced message is durably stored.

        Raises SendFailed naming the messages (since the previous flush) that were not stored.
        """

    def close(self) -> None: ...


class Consumer(Protocol):
    def poll(self, timeout_s: float, max_records: int) -> list[Envelope]:
        """Next messages of the subscribed topic(s), in order per partition; [] on timeout."""

    def commit(self, positions: list[Position]) -> None:
        """Mark everything up to and including each position as processed (per partition)."""

    def close(self) -> None:
        """Leave the group; uncommitted messages are redelivered to the next consumer."""
