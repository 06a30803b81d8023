"""One-line instrumentation for the runtimes (embedded loop, Kafka worker, delivery).

Where each call goes (M = services.metrics, a `newswatch.metrics.Metrics`):

    pipeline = Pipeline(analyzer, planner, timer=M.time_stage)   # decode/validate/plan
    M.article_consumed()                       # per message polled
    except InvalidMessage as exc: M.article_invalid(exc.reason)
    after the dead-letter write:  M.dead_lettered(exc.reason)
    observe_outcome(M, outcome)                # events by type/country, alerts by type/kind
    with M.time_stage(Stage.HAND_OFF): ...     # store analysis + alerts, enqueue delivery
    lag = KafkaLagProbe(consumer, M); lag.maybe_sample()   # in the poll loop (worker only)
    server = start_metrics_server(M, settings.metrics_port) # worker/delivery: own /metrics port
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from newswatch.domain.outcome import AlertDraft, Outcome
from newswatch.observability.export import serve_metrics
from newswatch.observability.metrics import Metrics

log = logging.getLogger(__name__)


def alert_event_type(draft: AlertDraft) -> str:
    """The event type an alert is about: the first of its payload's `data.event_types`."""
    data = draft.payload.get("data", {}) if isinstance(draft.payload, dict) else {}
    types = data.get("event_types") or []
    return str(types[0]) if types else "other"


def observe_outcome(metrics: Metrics, outcome: Outcome) -> None:
    """Count what one processed article produced: its events, its coverage and its planned alerts."""
    metrics.events_detected(outcome.analysis.events)
    if not outcome.analysis.fully_covered:
        metrics.language_uncovered(outcome.analysis.language)
    observe_alerts(metrics, outcome.alerts)


def observe_alerts(metrics: Metrics, drafts: Iterable[AlertDraft]) -> None:
    """Count alerts as they go to delivery: from a processed article, or held ones falling due."""
    for draft in drafts:
        metrics.alert_planned(alert_event_type(draft), draft.kind)


def counting_flush(
    flush: Callable[[datetime], tuple[AlertDraft, ...]], metrics: Metrics
) -> Callable[[datetime], tuple[AlertDraft, ...]]:
    """`flush` (the planner's held alerts that fell due) counting what it returns."""

    def flush_and_count(now: datetime) -> tuple[AlertDraft, ...]:
        drafts = flush(now)
        observe_alerts(metrics, drafts)
        return drafts

    return flush_and_count


def start_metrics_server(metrics: Metrics, port: int | None, addr: str = "0.0.0.0") -> Any:
    """Serve /metrics on `port` for processes without the API; None when `port` is None.

    Raises OSError if the port is taken (fail at start-up, not silently unscraped).
    """
    if port is None:
        return None
    server = serve_metrics(port, metrics.registry, addr=addr)
    log.info("metrics on http://%s:%d/metrics", addr, server.server_port)
    return server
