"""The whole pipeline in one place: the order of the stages.

Pure: no queue, store, network or clock inside. The runtimes (embedded and
Kafka) feed raw messages in and carry the Outcome to the edges: analyses to
the analysis sink, alerts to delivery, InvalidMessage to the dead-letter sink.

Per message: decode -> validate -> analyse (topics, regions, events) -> `planner` (NoAlerts
unless a test or tool passes a per-article planner). Per poll batch, after this: the story
planner (`alerts/plan.plan_batch`, pure: match, group into stories, dedupe, draft), which the
runtimes call between one read and one atomic write of the story state (`alerts/planner.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from newswatch.analysis.engine import Analyzer
from newswatch.contracts.articles import decode_json, validate_article
from newswatch.domain.errors import InvalidMessage
from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft, Outcome
from newswatch.metrics_labels import Stage, StageTimer, untimed


class AlertPlanner(Protocol):
    """A per-article alert stage (tests and tools); the service plans alerts per batch instead."""

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]: ...


class NoAlerts:
    """Planner for analysis-only runs (`newswatch analyze`)."""

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]:
        return ()


@dataclass(frozen=True)
class Pipeline:
    """`timer` marks stage boundaries for metrics (`Metrics.time_stage`); the default records nothing."""

    analyzer: Analyzer
    planner: AlertPlanner
    timer: StageTimer = untimed

    def process(self, raw: bytes, now: datetime) -> Outcome:
        """Raise InvalidMessage for input that can never be processed."""
        with self.timer(Stage.DECODE):
            obj = decode_json(raw)
        with self.timer(Stage.VALIDATE):
            article = validate_article(obj)  # schemas/article.v1
        analysis = self._analyze(article)  # topics, regions, events
        with self.timer(Stage.PLAN):
            alerts = self.planner.plan(article, analysis, now)  # match, group, dedupe
        return Outcome(article, analysis, alerts)

    def _analyze(self, article: Article) -> Analysis:
        """Analysis is pure, so an exception here fails the same way on every retry: rather than block
        the partition behind a poison message, it becomes InvalidMessage('analysis_error') and the
        article is dead-lettered with its original bytes (replayable once the bug is fixed)."""
        try:
            return self.analyzer.analyze(article, self.timer)
        except Exception as exc:  # any bug in the pure core
            raise InvalidMessage(
                "analysis_error", f"analysis of article {article.id!r} failed: {exc!r}"
            ) from exc
