"""The distributed worker's decisions, apart from its I/O: which records a batch of messages yields.

`plan_batch` runs the pure pipeline over a batch and returns every record to produce (analyses,
dead letters) plus the outcomes whose alerts must be handed off. Nothing here touches Kafka.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newswatch.domain.errors import InvalidMessage
from newswatch.domain.outcome import AlertDraft, Outcome
from newswatch.pipeline import Pipeline
from newswatch.store.dead_letters import dead_letter_record
from newswatch.transport.base import Envelope


@dataclass(frozen=True)
class WorkerTopics:
    """Where the worker reads and writes (Kafka topic names)."""

    articles: str = "articles"
    dlq: str = "articles.dlq"
    analyses: str = "analyses"
    alerts: str = "alerts"


@dataclass(frozen=True, slots=True)
class OutRecord:
    topic: str
    key: bytes | None
    payload: bytes


@dataclass
class BatchPlan:
    records: list[OutRecord] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # InvalidMessage reasons, one per dead letter


def to_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def dead_letter(env: Envelope, exc: InvalidMessage, topics: WorkerTopics, now: datetime) -> OutRecord:
    """The dead-letter.v1 record of `env`, keyed like the original so it lands beside its kin."""
    p = env.position
    source = {"transport": "kafka", "topic": p.topic, "partition": p.partition, "offset": p.offset}
    return OutRecord(topics.dlq, env.key, to_json(dead_letter_record(exc, env.payload, source, now)))


def analysis_record(outcome: Outcome, topics: WorkerTopics) -> OutRecord:
    return OutRecord(topics.analyses, outcome.article.id.encode(), to_json(outcome.analysis.to_dict()))


def alert_record(draft: AlertDraft, topics: WorkerTopics) -> OutRecord:
    """An alert draft on the `alerts` topic, keyed by subscription so one subscriber's stay in order."""
    body = {"id": draft.id, "subscription_id": draft.subscription_id, "kind": draft.kind}
    return OutRecord(
        topics.alerts, draft.subscription_id.encode(), to_json({**body, "payload": draft.payload})
    )


def plan_batch(
    pipeline: Pipeline, batch: Sequence[Envelope], topics: WorkerTopics, now: datetime
) -> BatchPlan:
    """Process each message; InvalidMessage becomes a dead letter, anything else propagates."""
    plan = BatchPlan()
    for env in batch:
        try:
            outcome = pipeline.process(env.payload, now)
        except InvalidMessage as exc:
            plan.records.append(dead_letter(env, exc, topics, now))
            plan.invalid.append(exc.reason)
            continue
        plan.records.append(analysis_record(outcome, topics))
        plan.outcomes.append(outcome)
    return plan
