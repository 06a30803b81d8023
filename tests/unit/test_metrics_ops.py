"""Alerts counted on every path to delivery, accepted articles, embedded backlog, uncovered languages."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from newswatch.compose import build
from newswatch.config import Settings
from newswatch.domain.model import Analysis, Article
from newswatch.domain.outcome import Outcome
from newswatch.domain.stages import language_label
from newswatch.observability.metrics import Metrics
from newswatch.runtime.instrumentation import counting_flush, observe_outcome
from newswatch.store.delivery_due_sqlite import SQLiteDueDeliveries
from newswatch.store.sqlite import SQLiteDB
from tests.unit.alerts.test_planner import T0, WIRE, World, own_report


def value(m: Metrics, name: str, **labels: str) -> float:
    return m.registry.get_sample_value(name, labels) or 0.0


def test_held_alerts_are_counted_when_they_fall_due(tmp_path: Path) -> None:
    world = World(tmp_path)
    try:
        m = Metrics(CollectorRegistry())
        world.sub(group_wait=60)
        # Held by group_wait: the pipeline sends nothing, so it counts nothing.
        for draft_list in (world.feed("a", WIRE, "one", T0), world.feed("b", own_report(3), "two", T0)):
            observe_outcome(m, Outcome(Article("x", "y"), Analysis("x", (), (), ()), tuple(draft_list)))
        flush = counting_flush(world.planner.flush, m)
        assert flush(T0 + timedelta(seconds=30)) == ()
        assert value(m, "newswatch_alerts_total", event_type="power_plant_strike", kind="detected") == 0
        (due,) = flush(T0 + timedelta(seconds=61))
        assert due.kind == "story.detected"
        assert value(m, "newswatch_alerts_total", event_type="power_plant_strike", kind="detected") == 1
    finally:
        world.db.close()


def test_compose_counts_what_flush_returns(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    services = build(Settings.from_env({"NEWSWATCH_DATA_DIR": str(tmp_path)}), registry)
    try:
        assert services.flush_held(T0) == ()  # nothing held
        assert services.flush_held.__name__ == "flush_and_count"
    finally:
        services.close()


def test_embedded_backlog_counts_unprocessed_articles_and_pending_deliveries(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    services = build(Settings.from_env({"NEWSWATCH_DATA_DIR": str(tmp_path)}), registry)
    try:
        for n in range(3):
            services.producer.produce(services.settings.articles_topic, b"{}", f"k{n}".encode())
        services.producer.flush()
        consumer = services.make_consumer()
        batch = consumer.poll(1.0, 1)
        consumer.commit([batch[0].position])  # one of three processed
        consumer.close()
        db = SQLiteDB(services.settings.sqlite_path)
        # Due in an hour: the service's own delivery pool must not claim (and finish) it before
        # the sample, as it would a row due now within its next idle wake-up.
        SQLiteDueDeliveries(db).add("alr_1", 2, time.time() + 3600)
        db.close()
        services.sample_backlog()
        get = registry.get_sample_value
        assert get("newswatch_embedded_backlog_messages", {"queue": "articles"}) == 2
        assert get("newswatch_embedded_backlog_messages", {"queue": "deliveries"}) == 1
    finally:
        services.close()


def test_regions_only_articles_are_counted_by_language() -> None:
    m = Metrics(CollectorRegistry())
    uk = Analysis("u", (), (), (), language="uk", coverage="regions-only")
    en = Analysis("e", (), (), (), language="en", coverage="full")
    for analysis in (uk, uk, en):
        observe_outcome(m, Outcome(Article(analysis.article_id, "x"), analysis, ()))
    assert value(m, "newswatch_articles_language_uncovered_total", language="uk") == 2
    assert value(m, "newswatch_articles_language_uncovered_total", language="en") == 0


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("uk", "uk"),
        ("haw", "haw"),
        ("und", "und"),
        ("zh-Hant", "und"),
        ("", "und"),
        (None, "und"),
        ("EN", "und"),
    ],
)
def test_language_label_is_bounded(code: str | None, label: str) -> None:
    assert language_label(code) == label


def test_accepted_articles_counter() -> None:
    m = Metrics(CollectorRegistry())
    m.articles_accepted_by_api(3)
    m.articles_accepted_by_api(1)
    assert value(m, "newswatch_articles_accepted_total") == 4
