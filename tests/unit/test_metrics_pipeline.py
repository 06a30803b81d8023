"""The pipeline reports its stage boundaries to the metrics timer."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from newswatch.analysis.engine import Analyzer
from newswatch.domain.errors import InvalidMessage
from newswatch.domain.model import Analysis, Article
from newswatch.domain.stages import StageTimer, untimed
from newswatch.observability.metrics import Metrics
from newswatch.pipeline import NoAlerts, Pipeline

NOW = datetime(2026, 1, 2, tzinfo=UTC)


class NoAnalysis:
    """Stands in for the Analyzer: these tests are about stage timing, not analysis."""

    def analyze(self, article: Article, timer: StageTimer = untimed) -> Analysis:
        return Analysis(article.id, (), (), ())


def pipeline(metrics: Metrics | None, planner: NoAlerts | None = None) -> Pipeline:
    timer = {} if metrics is None else {"timer": metrics.time_stage}
    return Pipeline(NoAnalysis(), planner or NoAlerts(), **timer)  # type: ignore[arg-type]


GOOD = json.dumps({"id": "m-1", "body": "A quiet day at the harbour."}).encode()


def counts(m: Metrics, name: str) -> dict[str, float]:
    return {
        s.labels["stage"]: s.value
        for f in m.registry.collect()
        for s in f.samples
        if s.name == name and s.value
    }


@pytest.fixture
def metrics() -> Metrics:
    return Metrics(CollectorRegistry())


def test_good_article_passes_each_timed_stage_once(metrics: Metrics) -> None:
    pipeline(metrics).process(GOOD, NOW)
    assert counts(metrics, "newswatch_stage_processed_total") == {"decode": 1, "validate": 1, "plan": 1}
    assert counts(metrics, "newswatch_stage_errors_total") == {}


@pytest.mark.parametrize(
    ("raw", "timed"),
    [
        (b"\xff not json", {"decode": 1}),  # stops at decode
        (json.dumps({"title": "no body"}).encode(), {"decode": 1, "validate": 1}),  # stops at validate
    ],
)
def test_bad_input_is_timed_up_to_where_it_stopped(metrics: Metrics, raw: bytes, timed: dict) -> None:
    with pytest.raises(InvalidMessage):
        pipeline(metrics).process(raw, NOW)
    assert counts(metrics, "newswatch_stage_duration_seconds_count") == timed
    assert counts(metrics, "newswatch_stage_errors_total") == {}


def test_planner_failure_is_a_plan_stage_error(metrics: Metrics) -> None:
    class Broken(NoAlerts):
        def plan(self, *args: object) -> tuple:
            raise ConnectionError("story store away")

    with pytest.raises(ConnectionError):
        pipeline(metrics, Broken()).process(GOOD, NOW)
    assert counts(metrics, "newswatch_stage_errors_total") == {"plan": 1}


def test_default_timer_records_nothing(metrics: Metrics) -> None:
    pipeline(None).process(GOOD, NOW)
    assert counts(metrics, "newswatch_stage_duration_seconds_count") == {}


def test_real_analyzer_marks_topics_regions_and_events(metrics: Metrics, analyzer: Analyzer) -> None:
    Pipeline(analyzer, NoAlerts(), timer=metrics.time_stage).process(GOOD, NOW)
    stages = {"decode", "validate", "topics", "regions", "events", "plan"}
    assert counts(metrics, "newswatch_stage_processed_total") == dict.fromkeys(stages, 1)


def test_an_analyzer_bug_dead_letters_the_article_instead_of_blocking(metrics: Metrics) -> None:
    class Buggy(NoAnalysis):
        def analyze(self, article: Article, timer: StageTimer = untimed) -> Analysis:
            raise IndexError("tokeniser fell off the end")

    with pytest.raises(InvalidMessage) as caught:
        Pipeline(Buggy(), NoAlerts(), timer=metrics.time_stage).process(GOOD, NOW)  # type: ignore[arg-type]
    assert caught.value.reason == "analysis_error"
    assert "m-1" in caught.value.detail and "tokeniser" in caught.value.detail


def test_a_planner_failure_is_not_dead_lettered(metrics: Metrics) -> None:
    class StoreDown(NoAlerts):
        def plan(self, *args: object) -> tuple:
            raise ConnectionError("redis away")

    with pytest.raises(ConnectionError):  # I/O trouble propagates: the runtime retries the message
        pipeline(metrics, StoreDown()).process(GOOD, NOW)
