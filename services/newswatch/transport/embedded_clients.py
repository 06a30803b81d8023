"""Producer and consumer of the embedded log (newswatch.transport.embedded.EmbeddedLog)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from newswatch.transport.base import Envelope, OutRecord, Position, SendFailed

if TYPE_CHECKING:
    from newswatch.transport.embedded import EmbeddedLog

# How often a waiting consumer re-reads the file, to notice producers in other processes.
CROSS_PROCESS_POLL_S = 0.05


class EmbeddedProducer:
    """Buffers in memory; `flush` appends the buffer in one transaction (durable when it returns)."""

    def __init__(self, log: EmbeddedLog) -> None:
        self._log = log
        self._buffer: list[tuple[str, bytes | None, bytes]] = []

    def produce(self, topic: str, payload: bytes, key: bytes | None = None) -> None:
        self._buffer.append((topic, key, payload))

    def flush(self, timeout_s: float | None = None) -> None:
        """One transaction: on failure nothing of the buffer was stored, and SendFailed lists it all."""
        if self._buffer:
            batch, self._buffer = self._buffer, []
            try:
                self._log.append(batch)
            except Exception as exc:
                records = [OutRecord(topic, key, payload) for topic, key, payload in batch]
                raise SendFailed(f"{len(batch)} message(s) not stored: {exc!r}", records) from exc

    def close(self) -> None:
        self.flush()


class EmbeddedConsumer:
    """One reader of a group. Meant to be the group's only member: the log has one partition."""

    def __init__(self, log: EmbeddedLog, group: str, topics: list[str]) -> None:
        self._log = log
        self._group = group
        self._next = {topic: log.join(group, topic) for topic in topics}

    def poll(self, timeout_s: float, max_records: int) -> list[Envelope]:
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:
            with self._log.appended:
                batch = self._read(max_records)
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0:
                    return batch
                # Checked and waited under the condition, so an in-process append cannot slip between.
                self._log.appended.wait(min(remaining, CROSS_PROCESS_POLL_S))

    def _read(self, max_records: int) -> list[Envelope]:
        batch: list[Envelope] = []
        for topic, offset in self._next.items():
            if len(batch) >= max_records:
                break
            got = self._log.read(topic, offset, max_records - len(batch))
            if got:
                self._next[topic] = got[-1].position.offset + 1
                batch.extend(got)
        return batch

    def commit(self, positions: list[Position]) -> None:
        next_offsets: dict[str, int] = {}
        for p in positions:
            next_offsets[p.topic] = max(next_offsets.get(p.topic, 0), p.offset + 1)
        if next_offsets:
            self._log.commit(self._group, next_offsets)

    def close(self) -> None:
        """Nothing to leave: the next consumer of the group starts at the committed offsets."""
