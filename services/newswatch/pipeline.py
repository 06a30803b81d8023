"""The whole pipeline in one place: the order of the stages.

Pure: no queue, store, network or clock inside. The runtimes (embedded and
Kafka) feed raw messages in and carry the Outcome to the edges: analyses to
the analysis sink, alerts to delivery, InvalidMessage to the dead-letter sink.

Per message: decode -> validate -> analyse (topics, regions, events). Then alerts: the runtimes
plan a whole poll batch at once (`plan_batch`): the story planner (alerts/planner.py) reads the
batch's candidate stories in one go, decides with the pure `alerts/plan.plan_batch` (match, group
into stories, dedupe, draft) and writes the decisions and their alerts in one atomic step.

The pure stages (decode, validate, analyse) fail the same way on every retry, so any exception
from them becomes InvalidMessage with the stage's reason: a poison message is dead-lettered with
its original bytes (replayable once the bug is fixed) instead of blocking its partition.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from newswatch.analysis.engine import Analyzer
from newswatch.contracts.articles import decode_json, validate_article
from newswatch.domain.errors import InvalidMessage
from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import AlertDraft, Outcome
from newswatch.domain.stages import Stage, StageTimer, untimed

_In = TypeVar("_In")
_Out = TypeVar("_Out")
DETAIL_CHARS = 500  # of an unexpected exception's text in a dead letter's detail


class AlertPlanner(Protocol):
    """Subscription matching, story grouping and dedupe.

    May read and write its story state through the store it was built with; the decisions are
    pure functions of that state and `now`. A planner may also offer `plan_batch(pairs, now)`
    (one read and one write for many articles, all or nothing): the embedded loop needs one, and
    the worker uses it when there (`Pipeline.plans_batches`), else plans article by article.
    """

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]: ...


class NoAlerts:
    """A planner that plans nothing: the pipeline without alerts (benchmarks, tests)."""

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]:
        return ()

    def plan_batch(
        self, pairs: Sequence[tuple[Article, Analysis]], now: datetime
    ) -> list[tuple[AlertDraft, ...]]:
        return [() for _ in pairs]


@dataclass(frozen=True)
class Pipeline:
    """`timer` marks stage boundaries for metrics (`Metrics.time_stage`); the default records nothing."""

    analyzer: Analyzer
    planner: AlertPlanner
    timer: StageTimer = untimed

    def process(self, raw: bytes | None, now: datetime) -> Outcome:
        """Raise InvalidMessage for input that can never be processed.

        The planner's own exceptions propagate: it reads and writes a store, and the runtime
        decides which of its failures are worth a retry.
        """
        article, analysis = self.analyse(raw)
        return Outcome(article, analysis, self.plan(article, analysis, now))

    def analyse(self, raw: bytes | None) -> tuple[Article, Analysis]:
        """The pure stages; any exception from them is raised as InvalidMessage."""
        obj = self._stage(Stage.DECODE, "decode_error", decode_json, raw)
        article = self._stage(Stage.VALIDATE, "schema_invalid", validate_article, obj)  # article.v1
        analysis = self._analyze(article)  # topics, regions, events
        return article, analysis

    def plan(self, article: Article, analysis: Analysis, now: datetime) -> tuple[AlertDraft, ...]:
        with self.timer(Stage.PLAN):
            return self.planner.plan(article, analysis, now)  # match, group, dedupe

    @property
    def plans_batches(self) -> bool:
        """The planner plans a batch in one step (all or nothing), rather than article by article."""
        return hasattr(self.planner, "plan_batch")

    def plan_batch(
        self, pairs: Sequence[tuple[Article, Analysis]], now: datetime
    ) -> list[tuple[AlertDraft, ...]]:
        """The alerts of each analysed article of a batch, in order, in one call of a planner that
        plans batches (`plans_batches`; AttributeError for one that does not)."""
        batch = self.planner.plan_batch  # type: ignore[attr-defined]
        with self.timer(Stage.PLAN):
            planned: list[tuple[AlertDraft, ...]] = batch(pairs, now)
            return planned

    def _stage(self, stage: Stage, reason: str, fn: Callable[[_In], _Out], arg: _In) -> _Out:
        with self.timer(stage):
            try:
                return fn(arg)
            except InvalidMessage:
                raise
            except Exception as exc:  # a surprise in a pure stage, e.g. RecursionError on deep nesting
                raise InvalidMessage(reason, f"{stage} failed: {_describe(exc)}") from exc

    def _analyze(self, article: Article) -> Analysis:
        # Not timed as one stage: the analyzer marks topics, regions and events itself.
        try:
            return self.analyzer.analyze(article, self.timer)
        except Exception as exc:  # any bug in the pure core
            raise InvalidMessage(
                "analysis_error", f"analysis of article {article.id!r} failed: {_describe(exc)}"
            ) from exc


def _describe(exc: BaseException) -> str:
    """The exception's type and text, cut: its text may quote the whole message."""
    try:
        text = f"{type(exc).__name__}: {exc}"
    except Exception:  # its __str__ failed too
        text = type(exc).__name__
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "..."
