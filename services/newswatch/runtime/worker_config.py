"""Options of `newswatch worker` beyond the shared Settings (bootstrap, articles and DLQ topics).

Read once with the other options (`Settings.worker`); the command's flags override them.
- `group` (NEWSWATCH_WORKER_GROUP, newswatch-pipeline): the Kafka consumer group of the workers.
- `processes` (NEWSWATCH_WORKER_PROCESSES, 1): worker processes `newswatch worker` runs in the
  group; more than the topic's partitions leaves the extra ones idle.
- `max_records` (NEWSWATCH_WORKER_MAX_RECORDS, 100): messages per poll, hand-off and commit.
- `analyses_topic` (NEWSWATCH_ANALYSES_TOPIC, analyses): one analysis.v1 JSON per article.
- `produce_analyses` (NEWSWATCH_WORKER_PRODUCE_ANALYSES, 1): 0 skips the `analyses` topic, for
  deployments that only want alerts (and `GET /v1/analyses/{id}`, served from Redis).
- `analyses_ttl_s` (NEWSWATCH_ANALYSES_TTL_SECONDS, 3600): how long Redis keeps each analysis for
  `GET /v1/analyses/{id}`; 0 stores none. Memory is about rate x TTL x ~2 KB.
- `linger_ms`, `batch_bytes`, `compression` (NEWSWATCH_WORKER_LINGER_MS 100,
  NEWSWATCH_WORKER_BATCH_BYTES 262144, NEWSWATCH_WORKER_COMPRESSION none|gzip|lz4|zstd|snappy):
  the Kafka producer's batching. The worker flushes once per poll batch, so the linger only
  keeps the sender from shipping half-built batches while the batch is being produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from newswatch.options import flag

MAX_RECORDS = 100  # = transport.kafka.MAX_POLL_RECORDS: a batch stays far inside max.poll.interval.ms
COMPRESSIONS = ("gzip", "lz4", "zstd", "snappy")  # kafka-python's; all but gzip need a package


@dataclass(frozen=True)
class WorkerConfig:
    group: str = "newswatch-pipeline"
    processes: int = 1
    max_records: int = MAX_RECORDS
    analyses_topic: str = "analyses"
    produce_analyses: bool = True
    analyses_ttl_s: int = 3600
    linger_ms: int = 100
    batch_bytes: int = 262_144
    compression: str | None = None

    def __post_init__(self) -> None:
        for name in ("processes", "max_records", "batch_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"worker {name} must be at least 1, got {getattr(self, name)}")
        if self.analyses_ttl_s < 0 or self.linger_ms < 0:
            raise ValueError("worker analyses_ttl_s and linger_ms must not be negative")
        if self.compression is not None and self.compression not in COMPRESSIONS:
            raise ValueError(f"worker compression must be one of {COMPRESSIONS} or none")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkerConfig:
        """Unset or empty variables keep the defaults; a bad value raises ValueError naming it."""
        d = cls()

        def number(name: str, default: int) -> int:
            raw = env.get(name, "")
            try:
                return int(raw) if raw else default
            except ValueError as exc:
                raise ValueError(f"{name}={raw!r}: {exc}") from exc

        produce = env.get("NEWSWATCH_WORKER_PRODUCE_ANALYSES", "")
        try:
            produce_analyses = flag(produce) if produce.strip() else d.produce_analyses
        except ValueError as exc:
            raise ValueError(f"NEWSWATCH_WORKER_PRODUCE_ANALYSES={produce!r}: {exc}") from exc
        compression = env.get("NEWSWATCH_WORKER_COMPRESSION", "").strip().lower()
        return cls(
            group=env.get("NEWSWATCH_WORKER_GROUP") or d.group,
            processes=number("NEWSWATCH_WORKER_PROCESSES", d.processes),
            max_records=number("NEWSWATCH_WORKER_MAX_RECORDS", d.max_records),
            analyses_topic=env.get("NEWSWATCH_ANALYSES_TOPIC") or d.analyses_topic,
            produce_analyses=produce_analyses,
            analyses_ttl_s=number("NEWSWATCH_ANALYSES_TTL_SECONDS", d.analyses_ttl_s),
            linger_ms=number("NEWSWATCH_WORKER_LINGER_MS", d.linger_ms),
            batch_bytes=number("NEWSWATCH_WORKER_BATCH_BYTES", d.batch_bytes),
            compression=None if compression in ("", "none") else compression,
        )

    def with_overrides(self, **changes: Any) -> WorkerConfig:
        """Command-line flags win; None means "not given"."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
