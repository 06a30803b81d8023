"""Kafka producer and consumer (kafka-python) behind the queue interface of transport/base.py.

Producer: acks=all with idempotence, so a retried send is neither lost nor duplicated in the log;
`flush` raises SendFailed naming every message since the previous flush that was not stored.
Consumer: a group member with auto-commit off. Offsets are committed only when the runtime says so
(after everything the messages produced is durable); uncommitted messages go to the next member.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata

from newswatch.transport.base import Envelope, OutRecord, Position, SendFailed

log = logging.getLogger(__name__)

# A member that does not poll for MAX_POLL_INTERVAL_MS is dropped from the group. A batch of
# MAX_POLL_RECORDS articles at a pessimistic 100 ms each (analysis plus alert planning measured up to
# ~75 ms on a loaded 2-core machine) is 10 s, thirty times inside it.
MAX_POLL_RECORDS = 100
MAX_POLL_INTERVAL_MS = 300_000
# A member that dies without leaving (SIGKILL, OOM) keeps its partitions until this expires; the
# client default of 45 s would stall those partitions that long. Heartbeats go every 3 s.
SESSION_TIMEOUT_MS = 10_000


# The client's default request limit (max.request.size); one record may not be bigger.
MAX_REQUEST_BYTES = 1_048_576


class KafkaSendError(SendFailed):
    """Produced messages were not stored by the broker (`records` lists them)."""


class KafkaQueueProducer:
    """`linger_ms`, `batch_size` and `compression` trade a little latency for fewer, larger requests."""

    def __init__(
        self,
        bootstrap: str,
        client_id: str = "newswatch",
        linger_ms: int = 5,
        batch_size: int = 16_384,
        compression: str | None = None,
        **extra: Any,
    ) -> None:
        self._producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=linger_ms,
            batch_size=batch_size,
            compression_type=compression,
            max_request_size=MAX_REQUEST_BYTES,
            **extra,
        )
        self._failed: list[tuple[OutRecord, BaseException]] = []

    def produce(self, topic: str, payload: bytes, key: bytes | None = None) -> None:
        """Queue for sending; blocks (up to max_block_ms) only when the send buffer is full."""
        future = self._producer.send(topic, value=payload, key=key)
        future.add_errback(self._failure, OutRecord(topic, key, payload))

    def _failure(self, record: OutRecord, exc: BaseException) -> None:
        self._failed.append((record, exc))

    def flush(self, timeout_s: float | None = None) -> None:
        """Block until every queued message is acknowledged by all in-sync replicas.

        Raises KafkaSendError with the messages since the previous flush that were not stored.
        """
        self._producer.flush(timeout=timeout_s)
        if self._failed:
            failed, self._failed = self._failed, []
            first = failed[0][1]
            message = f"{len(failed)} message(s) not stored: {first!r}"
            raise KafkaSendError(message, [record for record, _exc in failed]) from first

    def close(self) -> None:
        self._producer.close()


class KafkaQueueConsumer:
    def __init__(
        self,
        bootstrap: str,
        group: str,
        topics: Iterable[str],
        client_id: str = "newswatch",
        max_poll_records: int = MAX_POLL_RECORDS,
        **extra: Any,
    ) -> None:
        self._consumer = KafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            group_id=group,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # a new group reads the topic from its start: nothing skipped
            max_poll_records=max_poll_records,
            max_poll_interval_ms=MAX_POLL_INTERVAL_MS,
            session_timeout_ms=SESSION_TIMEOUT_MS,
            **extra,
        )

    def poll(self, timeout_s: float, max_records: int) -> list[Envelope]:
        records = self._consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        return [
            Envelope(r.value, Position(r.topic, r.partition, r.offset), r.key, r.timestamp)
            for partition_records in records.values()
            for r in partition_records
        ]

    def commit(self, positions: list[Position]) -> None:
        """Commit offset+1 of the highest position per partition (synchronously).

        A commit refused because the group rebalanced is logged and dropped: those messages are
        redelivered to the partition's new owner, which at-least-once allows.
        """
        offsets = commit_offsets(positions)
        if not offsets:
            return
        try:
            self._consumer.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in offsets.items()})
        except CommitFailedError as exc:
            log.warning("offset commit refused after a rebalance; messages will be redelivered: %s", exc)

    @property
    def raw(self) -> KafkaConsumer:
        """The kafka-python consumer, for probes that run on the polling thread (consumer lag)."""
        return self._consumer

    def close(self) -> None:
        """Leave the group at once (no auto-commit), so its partitions move without a timeout."""
        self._consumer.close(autocommit=False)


def commit_offsets(positions: Iterable[Position]) -> dict[TopicPartition, int]:
    """Next offset to read per partition: one past the highest position seen."""
    offsets: dict[TopicPartition, int] = {}
    for p in positions:
        tp = TopicPartition(p.topic, p.partition)
        offsets[tp] = max(offsets.get(tp, 0), p.offset + 1)
    return offsets
