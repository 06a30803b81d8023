"""Every newswatch metric, declared once against an injected registry.

Usage (one line per instrumentation point)::

    m = Metrics(registry)                 # composition root: one per process
    with m.time_stage(Stage.TOPICS):      # processed/errors/duration of a stage
        topics = classify(article)
    m.article_invalid(exc.reason)         # InvalidMessage -> by reason
    m.events_detected(analysis.events)    # by event type and country

Names are `newswatch_*` in base units (seconds); counters end in `_total`;
label values come from `newswatch.domain.stages` and the domain enums, never
from ids or URLs. Under Celery prefork the values live in
PROMETHEUS_MULTIPROC_DIR (see `newswatch.observability.export`), which is why every
gauge declares a `multiprocess_mode`.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from newswatch import __version__
from newswatch.domain.errors import InvalidMessage
from newswatch.domain.model import Event, EventType
from newswatch.domain.stages import (
    AlertKind,
    DeliveryOutcome,
    EmbeddedQueue,
    InvalidReason,
    LatencyOrigin,
    Stage,
    StageTimer,
    StatusClass,
    alert_kind,
    country_label,
    invalid_reason,
    language_label,
    status_class,
)

__all__ = [
    "AlertKind",
    "DeliveryOutcome",
    "EmbeddedQueue",
    "InvalidReason",
    "LatencyOrigin",
    "Metrics",
    "Stage",
    "StageTimer",
    "StatusClass",
    "status_class",
]

# Stage work is sub-millisecond to tens of ms; HTTP deliveries up to the timeout;
# article-to-delivery spans queueing and retries (published-to-delivered can be hours).
STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
DELIVERY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
END_TO_END_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 21600.0)


class _TimedStage:
    """The context manager of `Metrics.time_stage` (a class: cheaper than a generator per use)."""

    __slots__ = ("_clock", "_series", "_start")

    def __init__(self, series: tuple[Counter, Counter, Histogram], clock: Callable[[], float]) -> None:
        self._series, self._clock = series, clock

    def __enter__(self) -> None:
        self._start = self._clock()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        processed, errors, duration = self._series
        if kind is None:
            processed.inc()
        elif not issubclass(kind, InvalidMessage):  # bad input is not a stage failure
            errors.inc()
        duration.observe(max(0.0, self._clock() - self._start))


class Metrics:
    """All metrics of one process, registered on `registry` at construction.

    Constructing twice on the same registry raises ValueError (duplicate
    names); tests use a fresh `CollectorRegistry()` each. Methods never block
    and never raise for unexpected label input: it is mapped to a bounded value.
    """

    def __init__(self, registry: CollectorRegistry, clock: Callable[[], float] = time.perf_counter) -> None:
        self.registry = registry
        self._clock = clock
        self._declare_pipeline(registry)
        self._declare_alerts(registry)
        self._declare_delivery(registry)
        self._declare_backlog(registry)
        self._initialise_series()

    def _declare_pipeline(self, r: CollectorRegistry) -> None:
        self.stage_processed = Counter(
            "newswatch_stage_processed_total", "Articles a pipeline stage finished.", ["stage"], registry=r
        )
        self.stage_errors = Counter(
            "newswatch_stage_errors_total", "Pipeline stage runs that raised.", ["stage"], registry=r
        )
        self.stage_duration = Histogram(
            "newswatch_stage_duration_seconds",
            "Wall time of one pipeline stage run.",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.articles_consumed = Counter(
            "newswatch_articles_consumed_total",
            "Raw article messages taken from a queue or the API.",
            registry=r,
        )
        self.articles_accepted = Counter(
            "newswatch_articles_accepted_total",
            "Articles acknowledged by POST /v1/articles (202): durably queued for analysis.",
            registry=r,
        )
        self.articles_uncovered = Counter(
            "newswatch_articles_language_uncovered_total",
            "Analysed articles in a language the topic and event rules do not cover (regions only).",
            ["language"],
            registry=r,
        )
        self.articles_invalid = Counter(
            "newswatch_articles_invalid_total",
            "Articles rejected by decode or validation.",
            ["reason"],
            registry=r,
        )
        self.articles_dead_lettered = Counter(
            "newswatch_articles_dead_lettered_total",
            "Messages written to the dead-letter topic or store.",
            ["reason"],
            registry=r,
        )
        self.events = Counter(
            "newswatch_events_detected_total",
            "Key events detected, by type and ISO 3166-1 alpha-2 country.",
            ["type", "country"],
            registry=r,
        )

    def _declare_alerts(self, r: CollectorRegistry) -> None:
        self.alerts = Counter(
            "newswatch_alerts_total",
            "Alerts planned for delivery (at once or after being held), by event type and kind.",
            ["event_type", "kind"],
            registry=r,
        )

    def _declare_delivery(self, r: CollectorRegistry) -> None:
        self.deliveries = Counter(
            "newswatch_deliveries_total",
            "Webhook delivery attempts by outcome and HTTP status class.",
            ["outcome", "status_class"],
            registry=r,
        )
        self.delivery_duration = Histogram(
            "newswatch_delivery_duration_seconds",
            "Wall time of one webhook HTTP attempt.",
            buckets=DELIVERY_BUCKETS,
            registry=r,
        )
        self.article_to_delivery = Histogram(
            "newswatch_article_to_delivery_seconds",
            "From article ingested (or published) to its alert delivered.",
            ["since"],
            buckets=END_TO_END_BUCKETS,
            registry=r,
        )
        self.endpoints_disabled = Counter(
            "newswatch_delivery_endpoints_disabled_total",
            "Subscriptions disabled by delivery after repeated permanent failures.",
            registry=r,
        )
        self.circuits_opened = Counter(
            "newswatch_delivery_circuit_opened_total", "Endpoint circuit breakers that opened.", registry=r
        )

    def _declare_backlog(self, r: CollectorRegistry) -> None:
        self.consumer_lag = Gauge(
            "newswatch_kafka_consumer_lag_messages",
            "Messages behind the partition end, per assigned partition.",
            ["topic", "partition"],
            multiprocess_mode="livemostrecent",
            registry=r,
        )
        self.queue_depth = Gauge(
            "newswatch_celery_queue_depth_messages",
            "Tasks waiting in a Celery queue (Redis list length).",
            ["queue"],
            multiprocess_mode="livemostrecent",
            registry=r,
        )
        self.embedded_backlog = Gauge(
            "newswatch_embedded_backlog_messages",
            "Embedded mode: articles not yet processed and webhook attempts not yet made.",
            ["queue"],
            multiprocess_mode="livemostrecent",
            registry=r,
        )
        self.build_info = Gauge(
            "newswatch_build_info",
            "Always 1; labels carry the running version.",
            ["version", "python"],
            multiprocess_mode="max",  # Info does not work in multiprocess mode
            registry=r,
        )

    def _initialise_series(self) -> None:
        # Series that exist at 0 from start-up let rate() and absent-data alerts work at once.
        self.build_info.labels(__version__, platform.python_version()).set(1)
        # Looked up once: a dozen stages are timed per article, and `labels()` costs more than `inc()`.
        self._stage_series = {
            stage: (
                self.stage_processed.labels(stage.value),
                self.stage_errors.labels(stage.value),
                self.stage_duration.labels(stage.value),
            )
            for stage in Stage
        }
        for reason in InvalidReason:
            self.articles_invalid.labels(reason.value)
            self.articles_dead_lettered.labels(reason.value)
        for origin in LatencyOrigin:
            self.article_to_delivery.labels(origin.value)

    def time_stage(self, stage: Stage) -> _TimedStage:
        """Time the block as one run of `stage`; count it processed or errored.

        A `StageTimer`. Exceptions are re-raised unchanged; InvalidMessage is
        timed but counted neither processed nor errored (the input was bad,
        the stage was not).
        """
        return _TimedStage(self._stage_series[stage], self._clock)

    def article_consumed(self, n: int = 1) -> None:
        self.articles_consumed.inc(n)

    def articles_accepted_by_api(self, n: int) -> None:
        """`n` articles were durably queued and acknowledged to the client."""
        self.articles_accepted.inc(n)

    def language_uncovered(self, language: str) -> None:
        """An article was analysed for regions only; `language` is its detected code."""
        self.articles_uncovered.labels(language_label(language)).inc()

    def article_invalid(self, reason: str) -> None:
        """An InvalidMessage was raised for an article (`exc.reason`)."""
        self.articles_invalid.labels(invalid_reason(reason).value).inc()

    def dead_lettered(self, reason: str) -> None:
        """A message was durably written to the dead-letter topic/store."""
        self.articles_dead_lettered.labels(invalid_reason(reason).value).inc()

    def events_detected(self, events: Iterable[Event]) -> None:
        for event in events:
            self.events.labels(event.type.value, country_label(event.location.country)).inc()

    def alert_planned(self, event_type: EventType | str, kind: str) -> None:
        """One alert drafted; `kind` is `AlertDraft.kind` or an AlertKind."""
        self.alerts.labels(_event_type_label(event_type), alert_kind(kind).value).inc()

    def delivery_attempted(
        self,
        outcome: DeliveryOutcome,
        status: int | None = None,
        timed_out: bool = False,
        seconds: float | None = None,
    ) -> None:
        """One delivery decision; `seconds` is the HTTP attempt's wall time if one was made."""
        attempted = seconds is not None or status is not None or timed_out
        label = status_class(status, timed_out) if attempted else StatusClass.NONE
        self.deliveries.labels(outcome.value, label.value).inc()
        if seconds is not None:
            self.delivery_duration.observe(max(0.0, seconds))

    def alert_delivered(
        self, delivered_at: float, ingested_at: float | None, published_at: float | None
    ) -> None:
        """End-to-end latency of a delivered alert; times are Unix epoch seconds."""
        for origin, start in ((LatencyOrigin.INGESTED, ingested_at), (LatencyOrigin.PUBLISHED, published_at)):
            if start is not None:
                self.article_to_delivery.labels(origin.value).observe(max(0.0, delivered_at - start))


def _event_type_label(event_type: EventType | str) -> str:
    try:
        return EventType(event_type).value
    except ValueError:
        return "other"
