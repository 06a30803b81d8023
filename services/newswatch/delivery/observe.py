"""Delivery's view of the metrics (E8's `newswatch.metrics.Metrics`), optional in tests."""

from __future__ import annotations

from datetime import datetime

from newswatch.alerts.ports import AlertRecord
from newswatch.delivery.log import Outcome
from newswatch.delivery.policy.classify import Result
from newswatch.delivery.policy.decide import Step
from newswatch.observability.metrics import DeliveryOutcome, Metrics

_LABEL = {
    Outcome.DELIVERED: DeliveryOutcome.DELIVERED,
    Outcome.RETRY: DeliveryOutcome.RETRY,
    Outcome.EXHAUSTED: DeliveryOutcome.GAVE_UP,
    Outcome.GAVE_UP: DeliveryOutcome.GAVE_UP,
    Outcome.DISABLED: DeliveryOutcome.GAVE_UP,
    Outcome.BLOCKED: DeliveryOutcome.BLOCKED,
    Outcome.CIRCUIT_OPEN: DeliveryOutcome.CIRCUIT_OPEN,
}


class Observer:
    """Counts attempts by outcome and status class, HTTP latency, and article-to-delivery latency."""

    def __init__(self, metrics: Metrics | None = None) -> None:
        self._m = metrics

    def attempted(
        self, step: Step, result: Result | None, latency: float | None, alert: AlertRecord, now: datetime
    ) -> None:
        label = _LABEL.get(step.outcome)
        if self._m is None or label is None:
            return  # skipped deliveries (subscription off) are not attempts
        status = result.status if result else None
        timed_out = bool(result and result.timed_out)
        self._m.delivery_attempted(label, status, timed_out, latency)
        if step.disable:
            self._m.endpoints_disabled.inc()
        if step.outcome is Outcome.DELIVERED:
            self._m.alert_delivered(now.timestamp(), _created(alert), _published(alert))

    def circuit_opened(self) -> None:
        if self._m is not None:
            self._m.circuits_opened.inc()


def _created(alert: AlertRecord) -> float | None:
    # The alert is stored right after its article is analysed, so this stands in for ingestion.
    return alert.created_at.timestamp() if alert.created_at else None


def _published(alert: AlertRecord) -> float | None:
    """The newest contributing article's published time: the one that triggered this alert."""
    times = []
    for article in alert.payload.get("data", {}).get("articles", []) or []:
        try:
            times.append(datetime.fromisoformat(str(article.get("published_at"))).timestamp())
        except ValueError:
            continue
    return max(times) if times else None
