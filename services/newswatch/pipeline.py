"""The whole pipeline in one place: the order of the stages.

Pure: no queue, store, network or clock inside. The runtimes (embedded and
Kafka) feed raw messages in and carry the Outcome to the edges: analyses to
the analysis sink, alerts to delivery, InvalidMessage to the dead-letter sink.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from newswatch.analysis.engine import Analyzer
from newswatch.contracts.articles import decode_article
from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft, Outcome


class AlertPlanner(Protocol):
    """Subscription matching, story grouping and dedupe (issue 4).

    May read and write its story state through the store it was built with;
    the decisions it makes are pure functions of that state and `now`.
    """

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]: ...


class NoAlerts:
    """Planner for analysis-only runs (`newswatch analyze`)."""

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]:
        return ()


@dataclass(frozen=True)
class Pipeline:
    analyzer: Analyzer
    planner: AlertPlanner

    def process(self, raw: bytes, now: datetime) -> Outcome:
        """Raise InvalidMessage for input that can never be processed."""
        article = decode_article(raw)  # decode + validate (schemas/article.v1)
        analysis = self.analyzer.analyze(article)  # topics, regions, events
        alerts = self.planner.plan(article, analysis, now)  # match, group, dedupe
        return Outcome(article, analysis, alerts)
