"""Options of `newswatch worker` beyond the shared Settings (bootstrap, articles and DLQ topics)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from newswatch.runtime.worker import MAX_RECORDS


@dataclass(frozen=True)
class WorkerConfig:
    group: str = "newswatch-pipeline"  # NEWSWATCH_WORKER_GROUP: Kafka consumer group of the workers
    analyses_topic: str = "analyses"  # NEWSWATCH_ANALYSES_TOPIC: one analysis.v1 JSON per article
    alerts_topic: str = "alerts"  # NEWSWATCH_ALERTS_TOPIC: alert drafts, while delivery is not wired
    max_records: int = MAX_RECORDS  # NEWSWATCH_WORKER_MAX_RECORDS: messages per poll and commit

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkerConfig:
        """Unset or empty variables keep the defaults; a bad number raises ValueError."""
        d = cls()
        return cls(
            group=env.get("NEWSWATCH_WORKER_GROUP") or d.group,
            analyses_topic=env.get("NEWSWATCH_ANALYSES_TOPIC") or d.analyses_topic,
            alerts_topic=env.get("NEWSWATCH_ALERTS_TOPIC") or d.alerts_topic,
            max_records=int(env.get("NEWSWATCH_WORKER_MAX_RECORDS") or d.max_records),
        )

    def with_overrides(self, **changes: Any) -> WorkerConfig:
        """Command-line flags win; None means "not given"."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
