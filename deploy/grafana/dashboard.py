"""Generates dashboards/newswatch.json (run: python deploy/grafana/dashboard.py).

The dashboard is code so rows and panels stay laid out consistently; the JSON
is committed because Grafana's file provider reads JSON, and
tests/unit/test_dashboard.py checks it is this script's current output.

It imports into any Grafana: every query goes through the `datasource` template variable (no
fixed data source uid), and `__inputs` makes Grafana's import dialog ask which Prometheus to use.
Provisioned from a file (deploy/grafana/provisioning), the variable starts on the default data
source. Every panel has a description; the backlog panels say which mode fills which query.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "dashboards" / "newswatch.json"
INPUT = "DS_PROMETHEUS"  # the import dialog's data source choice; becomes the variable's first value
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
J = 'job=~"$job"'
RI = "$__rate_interval"
KNOWN = 'country!="unknown"'


def rate(metric: str, by: str = "", where: str = "") -> str:
    sel = f"{{{J}{',' + where if where else ''}}}"
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} (rate({metric}{sel}[{RI}]))"


def quantile(q: float, metric: str, by: str = "") -> str:
    labels = f"{by}, le" if by else "le"
    return f"histogram_quantile({q}, sum by ({labels}) (rate({metric}_bucket{{{J}}}[{RI}])))"


def in_range(metric: str, by: str = "", where: str = "") -> str:
    """Increase over the dashboard's time range (for "how many" panels)."""
    sel = f"{{{J}{',' + where if where else ''}}}"
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} (increase({metric}{sel}[$__range]))"


STAGE_ERR = (
    f"{rate('newswatch_stage_errors_total', 'stage')} / ({rate('newswatch_stage_processed_total', 'stage')}"
)
STAGE_ERR += f" + {rate('newswatch_stage_errors_total', 'stage')})"
FAILED, ATTEMPTED = 'outcome=~"retry|gave_up"', 'status_class!="none"'
DELIVERY_FAIL = " / ".join(rate("newswatch_deliveries_total", where=w) for w in (FAILED, ATTEMPTED))

# (row title, [(panel title, type, unit, description, [(expr, legend)])])
Panel = tuple[str, str, str, str, list[tuple[str, str]]]
EMBEDDED_ONLY = "Embedded mode (`newswatch run` with NEWSWATCH_BACKEND=embedded)"
DISTRIBUTED_ONLY = "Distributed mode (Kafka, Redis, Celery)"
ROWS: list[tuple[str, list[Panel]]] = [
    (
        "Pipeline: rate, errors, duration per stage",
        [
            (
                "Stage throughput",
                "timeseries",
                "ops",
                "Articles each pipeline stage finished per second (decode, validate, topics, regions, events, "
                "match, plan, hand_off). A stage well below the others drops or holds articles.",
                [(rate("newswatch_stage_processed_total", "stage"), "{{stage}}")],
            ),
            (
                "Stage error ratio",
                "timeseries",
                "percentunit",
                "Share of a stage's runs that raised. Above 1% fires NewswatchStageErrors (docs/runbook.md).",
                [(STAGE_ERR, "{{stage}}")],
            ),
            (
                "Stage duration p99",
                "timeseries",
                "s",
                "99th percentile of one run of each stage. The analysis stages take well under a millisecond "
                "on a typical article; hand_off includes the store and queue writes.",
                [(quantile(0.99, "newswatch_stage_duration_seconds", "stage"), "{{stage}}")],
            ),
            (
                "Articles accepted, consumed, invalid, dead-lettered",
                "timeseries",
                "ops",
                "accepted: acknowledged by POST /v1/articles (202). consumed: taken off the queue by the "
                "pipeline. invalid and dead-lettered by reason: rejected input, kept in the dead-letter store.",
                [
                    (rate("newswatch_articles_accepted_total"), "accepted"),
                    (rate("newswatch_articles_consumed_total"), "consumed"),
                    (rate("newswatch_articles_invalid_total", "reason"), "invalid {{reason}}"),
                    (rate("newswatch_articles_dead_lettered_total", "reason"), "dead-lettered {{reason}}"),
                ],
            ),
            (
                "Articles analysed for regions only, by language",
                "timeseries",
                "ops",
                "Articles in a language without topic model and event rules (anything but English): only "
                "their regions are found, and their analysis says coverage regions-only.",
                [(rate("newswatch_articles_language_uncovered_total", "language"), "{{language}}")],
            ),
        ],
    ),
    (
        "Backlog",
        [
            (
                "Articles waiting to be analysed",
                "timeseries",
                "short",
                f"{DISTRIBUTED_ONLY}: Kafka consumer lag of the workers per topic and partition. "
                f"{EMBEDDED_ONLY}: articles appended to the embedded log and not yet processed. "
                "Each mode fills only its own series; the other stays empty.",
                [
                    (
                        f"sum by (topic, partition) (newswatch_kafka_consumer_lag_messages{{{J}}})",
                        "kafka {{topic}}/{{partition}}",
                    ),
                    (
                        f'max by (job) (newswatch_embedded_backlog_messages{{{J},queue="articles"}})',
                        "embedded {{job}}",
                    ),
                ],
            ),
            (
                "Webhook deliveries waiting",
                "timeseries",
                "short",
                f"{DISTRIBUTED_ONLY}: tasks waiting in each Celery queue (first attempts, retries). "
                f"{EMBEDDED_ONLY}: alerts with an attempt scheduled, due now or later (retries can be hours "
                "ahead). Each mode fills only its own series.",
                [
                    (f"max by (queue) (newswatch_celery_queue_depth_messages{{{J}}})", "celery {{queue}}"),
                    (
                        f'max by (job) (newswatch_embedded_backlog_messages{{{J},queue="deliveries"}})',
                        "embedded {{job}}",
                    ),
                ],
            ),
        ],
    ),
    (
        "Events",
        [
            (
                "Events detected by type",
                "timeseries",
                "ops",
                "Key events found per second by type, background mentions included.",
                [(rate("newswatch_events_detected_total", "type"), "{{type}}")],
            ),
            (
                "Top regions (events in range)",
                "bargauge",
                "short",
                "The ten countries with the most events over the dashboard's time range.",
                [
                    (
                        f"topk(10, {in_range('newswatch_events_detected_total', 'country', KNOWN)})",
                        "{{country}}",
                    )
                ],
            ),
        ],
    ),
    (
        "Alerts and deliveries",
        [
            (
                "Alerts by event type and kind",
                "timeseries",
                "ops",
                "Alerts sent to delivery per second: a story detected or updated, at once or after being "
                "held by group_wait/repeat_interval.",
                [(rate("newswatch_alerts_total", "event_type, kind"), "{{event_type}} {{kind}}")],
            ),
            (
                "Deliveries by outcome and status",
                "timeseries",
                "ops",
                "Webhook attempts by outcome (delivered, retry, gave_up, circuit_open, blocked) and HTTP "
                "status class (none: no request was made).",
                [
                    (
                        rate("newswatch_deliveries_total", "outcome, status_class"),
                        "{{outcome}} {{status_class}}",
                    )
                ],
            ),
            (
                "Delivery failure ratio",
                "timeseries",
                "percentunit",
                "Failed attempts (retried or given up) over attempts made. Above 20% fires "
                "NewswatchDeliveryFailures; receivers' answers are explained in docs/webhooks.md.",
                [(DELIVERY_FAIL, "failed attempts")],
            ),
            (
                "Endpoints disabled / circuits opened",
                "timeseries",
                "short",
                "Over the time range: subscriptions disabled because their receiver answered 410 Gone, and "
                "endpoint circuits opened after five failures in a row.",
                [
                    (
                        in_range("newswatch_delivery_endpoints_disabled_total"),
                        "endpoints disabled",
                    ),
                    (
                        in_range("newswatch_delivery_circuit_opened_total"),
                        "circuits opened",
                    ),
                ],
            ),
        ],
    ),
    (
        "Latency",
        [
            (
                "Webhook attempt latency",
                "timeseries",
                "s",
                "Time receivers take to answer one attempt (p50, p95, p99); the timeout is 15 s.",
                [
                    (
                        quantile(q, "newswatch_delivery_duration_seconds"),
                        f"p{int(q * 100)}",
                    )
                    for q in (0.5, 0.95, 0.99)
                ],
            ),
            (
                "Article to delivery latency",
                "timeseries",
                "s",
                "From an article's ingestion (or its published_at) to its alert delivered, retries and "
                "group_wait included.",
                [
                    (
                        quantile(q, "newswatch_article_to_delivery_seconds", "since"),
                        f"p{int(q * 100)} since {{{{since}}}}",
                    )
                    for q in (0.5, 0.99)
                ],
            ),
            (
                "Running versions",
                "table",
                "none",
                "newswatch version and Python of every scraped process.",
                [(f"count by (job, version, python) (newswatch_build_info{{{J}}})", "{{version}}")],
            ),
            (
                "Targets up",
                "stat",
                "none",
                "Scraped newswatch targets that answer, per job. A missing job fires NewswatchTargetDown.",
                [(f"sum by (job) (up{{{J}}})", "{{job}}")],
            ),
        ],
    ),
]


# "how many in the range" panels read one instant value per series; the table wants rows
INSTANT: dict[str, dict[str, Any]] = {
    "bargauge": {"instant": True, "range": False, "format": "time_series"},
    "stat": {"instant": True, "range": False, "format": "time_series"},
    "table": {"instant": True, "range": False, "format": "table"},
}


def panel(
    pid: int,
    title: str,
    kind: str,
    unit: str,
    description: str,
    queries: list[tuple[str, str]],
    x: int,
    y: int,
) -> dict[str, Any]:
    targets = [
        {"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend}
        | INSTANT.get(kind, {})
        for i, (expr, legend) in enumerate(queries)
    ]
    return {
        "id": pid,
        "title": title,
        "description": description,
        "type": kind,
        "datasource": DATASOURCE,
        "targets": targets,
        "gridPos": {"x": x, "y": y, "w": 12, "h": 8},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"showLegend": True, "displayMode": "list", "placement": "bottom"}},
    }


def dashboard() -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    y = 0
    for title, row in ROWS:
        panels.append(
            {
                "id": len(panels) + 1,
                "type": "row",
                "title": title,
                "collapsed": False,
                "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
                "panels": [],
            }
        )
        y += 1
        for i, spec in enumerate(row):
            panels.append(panel(len(panels) + 1, *spec, x=12 * (i % 2), y=y + 8 * (i // 2)))
        y += 8 * ((len(row) + 1) // 2)
    datasource_var = {
        "name": "datasource",
        "label": "Prometheus",
        "type": "datasource",
        "query": "prometheus",
        "description": "The Prometheus that scrapes newswatch.",
        "current": {"text": f"${{{INPUT}}}", "value": f"${{{INPUT}}}"},
        "hide": 0,
        "refresh": 1,
        "regex": "",
        "options": [],
    }
    job_var = {
        "name": "job",
        "label": "job",
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": "label_values(newswatch_build_info, job)", "refId": "job"},
        "definition": "label_values(newswatch_build_info, job)",
        "includeAll": True,
        "multi": True,
        "allValue": ".*",
        "refresh": 2,
        "current": {"text": "All", "value": "$__all"},
    }
    return {
        "__inputs": [
            {
                "name": INPUT,
                "label": "Prometheus",
                "description": "The Prometheus data source that scrapes the newswatch processes.",
                "type": "datasource",
                "pluginId": "prometheus",
                "pluginName": "Prometheus",
            }
        ],
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
            {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
            *(
                {"type": "panel", "id": kind, "name": kind, "version": ""}
                for kind in sorted({spec[1] for _, row in ROWS for spec in row})
            ),
        ],
        "uid": "newswatch-overview",
        "description": "newswatch: pipeline, backlog (distributed and embedded), events, alerts, deliveries.",
        "title": "newswatch overview",
        "tags": ["newswatch"],
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "utc",
        "templating": {"list": [datasource_var, job_var]},
        "annotations": {"list": []},
        "panels": panels,
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
    sys.stdout.write(f"wrote {OUT}\n")
