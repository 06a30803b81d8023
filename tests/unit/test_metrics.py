"""Metrics: naming rules, bounded labels and the one-line helpers (fresh registry each)."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from newswatch.domain.errors import InvalidMessage
from newswatch.domain.model import Event, EventType, Evidence, Location
from newswatch.domain.stages import alert_kind, country_label, invalid_reason, status_class
from newswatch.observability.metrics import DeliveryOutcome, Metrics, Stage, StatusClass


@pytest.fixture
def metrics() -> Metrics:
    return Metrics(CollectorRegistry())


def value(m: Metrics, name: str, **labels: str) -> float:
    got = m.registry.get_sample_value(name, labels)
    return 0.0 if got is None else got


def families(m: Metrics) -> list:
    return list(m.registry.collect())


def test_every_family_is_namespaced_with_help(metrics: Metrics) -> None:
    for family in families(metrics):
        assert family.name.startswith("newswatch_"), family.name
        assert family.documentation.strip(), family.name


def test_units_are_base_units(metrics: Metrics) -> None:
    for family in families(metrics):
        if family.type == "histogram":
            assert family.name.endswith("_seconds"), family.name
        assert not any(bad in family.name for bad in ("_ms", "millis", "_kb", "_minutes")), family.name


def test_counters_expose_total_suffix(metrics: Metrics) -> None:
    # Labelled counters have no samples until a child exists; the initialised ones do.
    counters = [f for f in families(metrics) if f.type == "counter" and f.samples]
    assert len(counters) >= 4
    for family in counters:
        assert any(s.name == f"{family.name}_total" for s in family.samples), family.name


def test_no_unbounded_label_names(metrics: Metrics) -> None:
    forbidden = {"subscription", "subscription_id", "url", "endpoint", "article_id", "id", "tenant"}
    for family in families(metrics):
        for sample in family.samples:
            assert not forbidden & set(sample.labels), (family.name, sample.labels)


def test_two_metrics_on_one_registry_is_an_error() -> None:
    registry = CollectorRegistry()
    Metrics(registry)
    with pytest.raises(ValueError):
        Metrics(registry)


def test_stage_series_exist_at_zero_before_any_work(metrics: Metrics) -> None:
    for stage in Stage:
        assert metrics.registry.get_sample_value("newswatch_stage_processed_total", {"stage": stage}) == 0


def test_build_info_is_one(metrics: Metrics) -> None:
    samples = [s for f in families(metrics) if f.name == "newswatch_build_info" for s in f.samples]
    assert [s.value for s in samples] == [1]
    assert samples[0].labels["version"]


def test_time_stage_counts_success_and_observes_clock() -> None:
    ticks = iter([10.0, 10.25])
    m = Metrics(CollectorRegistry(), clock=lambda: next(ticks))
    with m.time_stage(Stage.REGIONS):
        pass
    assert value(m, "newswatch_stage_processed_total", stage="regions") == 1
    assert value(m, "newswatch_stage_errors_total", stage="regions") == 0
    assert value(m, "newswatch_stage_duration_seconds_sum", stage="regions") == 0.25
    assert value(m, "newswatch_stage_duration_seconds_count", stage="regions") == 1


def test_time_stage_counts_error_and_reraises(metrics: Metrics) -> None:
    with pytest.raises(KeyError), metrics.time_stage(Stage.MATCH):
        raise KeyError("boom")
    assert value(metrics, "newswatch_stage_errors_total", stage="match") == 1
    assert value(metrics, "newswatch_stage_processed_total", stage="match") == 0
    assert value(metrics, "newswatch_stage_duration_seconds_count", stage="match") == 1


def test_time_stage_bad_input_is_neither_processed_nor_error(metrics: Metrics) -> None:
    with pytest.raises(InvalidMessage), metrics.time_stage(Stage.VALIDATE):
        raise InvalidMessage("schema_invalid", "missing body")
    assert value(metrics, "newswatch_stage_errors_total", stage="validate") == 0
    assert value(metrics, "newswatch_stage_processed_total", stage="validate") == 0
    assert value(metrics, "newswatch_stage_duration_seconds_count", stage="validate") == 1


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("UA", "UA"),  # alpha-2 passes
        ("UA-14", "UA"),  # subdivision folds to its country
        ("ua", "unknown"),  # lower case is not ISO output: refuse rather than grow series
        ("UKR", "unknown"),  # alpha-3
        ("", "unknown"),
        (None, "unknown"),
        ("https://x.example/a", "unknown"),  # free text never becomes a label
    ],
)
def test_country_label(code: str | None, label: str) -> None:
    assert country_label(code) == label


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("decode_error", "decode_error"),
        ("schema_invalid", "schema_invalid"),
        ("too_large", "too_large"),
        ("something new", "other"),
    ],
)
def test_invalid_reason(reason: str, label: str) -> None:
    assert invalid_reason(reason) == label


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("story.detected", "detected"),
        ("story.updated", "updated"),
        ("detected", "detected"),
        ("updated", "updated"),
    ],
)
def test_alert_kind(kind: str, label: str) -> None:
    assert alert_kind(kind) == label


@pytest.mark.parametrize(
    ("status", "timed_out", "label"),
    [
        (200, False, StatusClass.S2XX),
        (204, False, StatusClass.S2XX),
        (301, False, StatusClass.S3XX),
        (404, False, StatusClass.S4XX),
        (429, False, StatusClass.S4XX),
        (503, False, StatusClass.S5XX),
        (None, True, StatusClass.TIMEOUT),  # no response within the timeout
        (None, False, StatusClass.ERROR),  # connection refused, DNS, TLS
        (999, False, StatusClass.ERROR),  # not an HTTP status
    ],
)
def test_status_class(status: int | None, timed_out: bool, label: StatusClass) -> None:
    assert status_class(status, timed_out) == label


def test_invalid_and_dead_lettered_by_reason(metrics: Metrics) -> None:
    metrics.article_consumed(3)
    metrics.article_invalid("schema_invalid")
    metrics.dead_lettered("weird")
    assert value(metrics, "newswatch_articles_consumed_total") == 3
    assert value(metrics, "newswatch_articles_invalid_total", reason="schema_invalid") == 1
    assert value(metrics, "newswatch_articles_dead_lettered_total", reason="other") == 1


def _event(kind: EventType, country: str | None) -> Event:
    return Event(kind, 0.9, "rule-slug", Evidence("s", 0, 1), Location(country=country))


def test_events_detected_by_type_and_country(metrics: Metrics) -> None:
    metrics.events_detected(
        [_event(EventType.PROTEST, "FR"), _event(EventType.PROTEST, "FR"), _event(EventType.BLACKOUT, None)]
    )
    assert value(metrics, "newswatch_events_detected_total", type="protest", country="FR") == 2
    assert value(metrics, "newswatch_events_detected_total", type="blackout", country="unknown") == 1


def test_alert_planned(metrics: Metrics) -> None:
    metrics.alert_planned(EventType.ARMED_CLASH, "story.updated")
    metrics.alert_planned("not-an-event", "story.detected")
    assert value(metrics, "newswatch_alerts_total", event_type="armed_clash", kind="updated") == 1
    assert value(metrics, "newswatch_alerts_total", event_type="other", kind="detected") == 1


@pytest.mark.parametrize(
    ("outcome", "kwargs", "status_label", "timed"),
    [
        (DeliveryOutcome.DELIVERED, {"status": 204, "seconds": 0.2}, "2xx", 1),
        (DeliveryOutcome.RETRY, {"status": 503, "seconds": 0.2}, "5xx", 1),
        (DeliveryOutcome.RETRY, {"timed_out": True, "seconds": 10.0}, "timeout", 1),
        (DeliveryOutcome.GAVE_UP, {"status": 410, "seconds": 0.1}, "4xx", 1),
        (DeliveryOutcome.CIRCUIT_OPEN, {}, "none", 0),  # not attempted: no duration
        (DeliveryOutcome.BLOCKED, {}, "none", 0),
    ],
)
def test_delivery_attempted(
    metrics: Metrics, outcome: DeliveryOutcome, kwargs: dict, status_label: str, timed: int
) -> None:
    metrics.delivery_attempted(outcome, **kwargs)
    assert value(metrics, "newswatch_deliveries_total", outcome=outcome, status_class=status_label) == 1
    assert value(metrics, "newswatch_delivery_duration_seconds_count") == timed


def test_alert_delivered_latencies(metrics: Metrics) -> None:
    metrics.alert_delivered(delivered_at=1000.0, ingested_at=998.5, published_at=None)
    metrics.alert_delivered(delivered_at=1000.0, ingested_at=999.0, published_at=400.0)
    name = "newswatch_article_to_delivery_seconds"
    assert value(metrics, f"{name}_sum", since="ingested") == 2.5
    assert value(metrics, f"{name}_count", since="published") == 1
    assert value(metrics, f"{name}_sum", since="published") == 600.0
