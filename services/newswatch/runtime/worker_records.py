"""The distributed worker's decisions, apart from its I/O: which records a batch of messages yields.

Two steps, so that a store outage while planning alerts never repeats the pure work or skips a
message:
- `analyse_batch` runs the pure stages over the batch. Whatever they raise makes a dead letter.
- `plan_alerts` asks the planner (which reads and writes its store) for the analysed articles, as
  one batch, resuming where an earlier attempt stopped. An I/O error propagates, to be retried;
  any other exception dead-letters the article that causes it with reason `plan_error`.
Nothing here touches Kafka.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from newswatch.domain.errors import InvalidMessage
from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft, Outcome
from newswatch.pipeline import Pipeline
from newswatch.store.dead_letters import dead_letter_record
from newswatch.transport.base import Envelope, OutRecord

__all__ = ["BatchPlan", "OutRecord", "WorkerTopics", "analyse_batch", "plan_alerts"]

# Keys longer than this are replaced by their SHA-256 in the dead letter: the record must fit a request.
MAX_DLQ_KEY_BYTES = 1024


@dataclass(frozen=True)
class WorkerTopics:
    """Where the worker reads and writes (Kafka topic names); `analyses` None produces no analyses."""

    articles: str = "articles"
    dlq: str = "articles.dlq"
    analyses: str | None = "analyses"


@dataclass(frozen=True, slots=True)
class Analysed:
    env: Envelope
    article: Article
    analysis: Analysis
    encoded: bytes  # the analysis.v1 JSON


@dataclass
class BatchPlan:
    records: list[OutRecord] = field(default_factory=list)  # analyses and dead letters, to produce
    analyses: list[tuple[str, bytes]] = field(default_factory=list)  # (article id, JSON) to store
    outcomes: list[Outcome] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # InvalidMessage reasons, one per dead letter
    unplanned: deque[Analysed] = field(default_factory=deque)  # analysed, alerts not planned yet


def to_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def dead_letter(env: Envelope, exc: InvalidMessage, topics: WorkerTopics, now: datetime) -> OutRecord:
    """The dead-letter.v1 record of `env`, keyed like the original so it lands beside its kin."""
    p = env.position
    source = {"transport": "kafka", "topic": p.topic, "partition": p.partition, "offset": p.offset}
    key = env.key
    if key is not None and len(key) > MAX_DLQ_KEY_BYTES:
        key = hashlib.sha256(key).digest()
    return OutRecord(topics.dlq, key, to_json(dead_letter_record(exc, env.payload, source, now)))


def analyse_batch(
    pipeline: Pipeline, batch: Sequence[Envelope], topics: WorkerTopics, now: datetime
) -> BatchPlan:
    """The pure stages over each message; whatever fails becomes a dead letter with its reason."""
    plan = BatchPlan()
    for env in batch:
        try:
            article, analysis = pipeline.analyse(env.payload)
            encoded = orjson.dumps(analysis.to_dict())
        except InvalidMessage as exc:
            _reject(plan, env, exc, topics, now)
            continue
        except Exception as exc:  # encoding the analysis failed: as pure as the rest
            _reject(
                plan, env, InvalidMessage("analysis_error", f"encoding the analysis: {exc!r}"), topics, now
            )
            continue
        plan.unplanned.append(Analysed(env, article, analysis, encoded))
    return plan


def plan_alerts(
    pipeline: Pipeline,
    plan: BatchPlan,
    topics: WorkerTopics,
    now: datetime,
    is_io_error: Callable[[BaseException], bool],
) -> None:
    """Plan the alerts of every analysed article not planned yet, as one batch (one read and one
    atomic write of the story state); resumable after an I/O error. If the batch fails otherwise,
    the articles are planned one by one, so only the one that breaks the planner is dead-lettered."""
    if not plan.unplanned or not pipeline.plans_batches:
        return _plan_one_by_one(pipeline, plan, topics, now, is_io_error)
    try:
        batch: list[tuple[AlertDraft, ...]] | None = pipeline.plan_batch(
            [(item.article, item.analysis) for item in plan.unplanned], now
        )
    except Exception as exc:
        if is_io_error(exc):
            raise
        batch = None
    for alerts in batch or ():
        _planned(plan, plan.unplanned.popleft(), alerts, topics)
    _plan_one_by_one(pipeline, plan, topics, now, is_io_error)


def _plan_one_by_one(
    pipeline: Pipeline,
    plan: BatchPlan,
    topics: WorkerTopics,
    now: datetime,
    is_io_error: Callable[[BaseException], bool],
) -> None:
    """Each unplanned article in turn, so a retry after an I/O error resumes where it stopped."""
    while plan.unplanned:
        item = plan.unplanned[0]
        try:
            alerts = pipeline.plan(item.article, item.analysis, now)
        except Exception as exc:
            if is_io_error(exc):
                raise
            detail = f"alert planning of article {item.article.id!r} failed: {type(exc).__name__}: {exc}"
            _reject(plan, item.env, InvalidMessage("plan_error", detail), topics, now)
            _planned(plan, plan.unplanned.popleft(), None, topics)
        else:
            _planned(plan, plan.unplanned.popleft(), alerts, topics)


def _planned(
    plan: BatchPlan, item: Analysed, alerts: tuple[AlertDraft, ...] | None, topics: WorkerTopics
) -> None:
    if alerts is not None:
        plan.outcomes.append(Outcome(item.article, item.analysis, alerts))
    # The analysis stands even when planning failed: it is stored and produced either way.
    plan.analyses.append((item.article.id, item.encoded))
    if topics.analyses is not None:
        plan.records.append(OutRecord(topics.analyses, item.article.id.encode(), item.encoded))


def _reject(plan: BatchPlan, env: Envelope, exc: InvalidMessage, topics: WorkerTopics, now: datetime) -> None:
    plan.records.append(dead_letter(env, exc, topics, now))
    plan.invalid.append(exc.reason)
