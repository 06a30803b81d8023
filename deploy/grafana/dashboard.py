"""Generates dashboards/newswatch.json (run: python deploy/grafana/dashboard.py).

The dashboard is code so rows and panels stay laid out consistently; the JSON
is committed because Grafana's file provider reads JSON, and
tests/unit/test_dashboard.py checks it is this script's current output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "dashboards" / "newswatch.json"
DATASOURCE = {"type": "prometheus", "uid": "newswatch-prometheus"}
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

# (row title, [(panel title, type, unit, [(expr, legend)])])
ROWS: list[tuple[str, list[tuple[str, str, str, list[tuple[str, str]]]]]] = [
    (
        "Pipeline: rate, errors, duration per stage",
        [
            (
                "Stage throughput",
                "timeseries",
                "ops",
                [(rate("newswatch_stage_processed_total", "stage"), "{{stage}}")],
            ),
            ("Stage error ratio", "timeseries", "percentunit", [(STAGE_ERR, "{{stage}}")]),
            (
                "Stage duration p99",
                "timeseries",
                "s",
                [(quantile(0.99, "newswatch_stage_duration_seconds", "stage"), "{{stage}}")],
            ),
            (
                "Articles in, invalid, dead-lettered",
                "timeseries",
                "ops",
                [
                    (rate("newswatch_articles_consumed_total"), "consumed"),
                    (rate("newswatch_articles_invalid_total", "reason"), "invalid {{reason}}"),
                    (rate("newswatch_articles_dead_lettered_total", "reason"), "dead-lettered {{reason}}"),
                ],
            ),
        ],
    ),
    (
        "Backlog",
        [
            (
                "Kafka consumer lag",
                "timeseries",
                "short",
                [
                    (
                        f"sum by (topic, partition) (newswatch_kafka_consumer_lag_messages{{{J}}})",
                        "{{topic}}/{{partition}}",
                    )
                ],
            ),
            (
                "Celery queue depth",
                "timeseries",
                "short",
                [(f"max by (queue) (newswatch_celery_queue_depth_messages{{{J}}})", "{{queue}}")],
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
                [(rate("newswatch_events_detected_total", "type"), "{{type}}")],
            ),
            (
                "Top regions (events in range)",
                "bargauge",
                "short",
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
                [(rate("newswatch_alerts_total", "event_type, kind"), "{{event_type}} {{kind}}")],
            ),
            (
                "Deliveries by outcome and status",
                "timeseries",
                "ops",
                [
                    (
                        rate("newswatch_deliveries_total", "outcome, status_class"),
                        "{{outcome}} {{status_class}}",
                    )
                ],
            ),
            ("Delivery failure ratio", "timeseries", "percentunit", [(DELIVERY_FAIL, "failed attempts")]),
            (
                "Endpoints disabled / circuits opened",
                "timeseries",
                "short",
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
                [(f"count by (job, version, python) (newswatch_build_info{{{J}}})", "{{version}}")],
            ),
            ("Targets up", "stat", "none", [(f"sum by (job) (up{{{J}}})", "{{job}}")]),
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
    pid: int, title: str, kind: str, unit: str, queries: list[tuple[str, str]], x: int, y: int
) -> dict[str, Any]:
    targets = [
        {"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend}
        | INSTANT.get(kind, {})
        for i, (expr, legend) in enumerate(queries)
    ]
    return {
        "id": pid,
        "title": title,
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
        "uid": "newswatch-overview",
        "title": "newswatch overview",
        "tags": ["newswatch"],
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "utc",
        "templating": {"list": [job_var]},
        "annotations": {"list": []},
        "panels": panels,
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
    sys.stdout.write(f"wrote {OUT}\n")
