"""Runtime instrumentation helpers."""

from __future__ import annotations

import urllib.request

import pytest
from prometheus_client import CollectorRegistry

from newswatch.domain.model import Analysis, Article, Event, EventType, Evidence, Location
from newswatch.domain.outcome import AlertDraft, Outcome
from newswatch.observability.metrics import Metrics
from newswatch.runtime.instrumentation import alert_event_type, observe_outcome, start_metrics_server


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"data": {"event_types": ["blackout", "strike"]}}, "blackout"),  # the first listed
        ({"data": {"event_types": []}}, "other"),
        ({"data": {}}, "other"),
        ({}, "other"),
    ],
)
def test_alert_event_type(payload: dict, expected: str) -> None:
    assert alert_event_type(AlertDraft("a", "s", "story.detected", payload)) == expected


def test_observe_outcome_counts_events_and_alerts() -> None:
    m = Metrics(CollectorRegistry())
    event = Event(EventType.BLACKOUT, 0.8, "blackout.grid", Evidence("x", 0, 1), Location(country="CL"))
    outcome = Outcome(
        Article("a1", "body"),
        Analysis("a1", (), (), (event,)),
        (AlertDraft("al", "s", "story.updated", {"data": {"event_types": ["blackout"]}}),),
    )
    observe_outcome(m, outcome)
    get = m.registry.get_sample_value
    assert get("newswatch_events_detected_total", {"type": "blackout", "country": "CL"}) == 1
    assert get("newswatch_alerts_total", {"event_type": "blackout", "kind": "updated"}) == 1


def test_metrics_server_optional_and_serving() -> None:
    m = Metrics(CollectorRegistry())
    assert start_metrics_server(m, None) is None
    server = start_metrics_server(m, 0, addr="127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5) as resp:
            assert b"newswatch_build_info" in resp.read()
    finally:
        server.shutdown()
        server.server_close()
