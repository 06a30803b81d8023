"""The Grafana dashboard and the Prometheus rules query only metrics the code exports."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from prometheus_client import CollectorRegistry

from newswatch.observability.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
# Series Prometheus itself writes for every target.
BUILTIN = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})
# Grafana substitutes these before the query reaches Prometheus.
GRAFANA_VARS = {"$__rate_interval": "1m", "$__range": "6h", "$__interval": "15s", "$job": ".*"}
# The sample names each kind of metric family exposes.
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
    "info": ("_info",),
}


def series_names(registry: CollectorRegistry) -> frozenset[str]:
    """Every sample name `registry` can expose, including labelled metrics with no child yet.

    What a PromQL query may reference: counters as `<name>_total`, histograms
    as `_bucket`/`_sum`/`_count`, gauges by their own name.
    """
    return frozenset(
        family.name + suffix for family in registry.collect() for suffix in SUFFIXES.get(family.type, ("",))
    )


def _rules() -> list[dict[str, Any]]:
    return [r for p in RULE_FILES for g in yaml.safe_load(p.read_text())["groups"] for r in g["rules"]]


def _recorded() -> frozenset[str]:
    return frozenset(r["record"] for r in _rules() if "record" in r)


def _exported() -> frozenset[str]:
    return series_names(Metrics(CollectorRegistry()).registry)


def _targets(node: Any) -> list[dict[str, Any]]:
    """Every query target in a dashboard, panels nested in rows included."""
    if isinstance(node, dict):
        own = [t for t in node.get("targets", []) if "expr" in t]
        return own + [t for v in node.values() for t in _targets(v)]
    if isinstance(node, list):
        return [t for v in node for t in _targets(v)]
    return []


def _dashboard_exprs() -> list[str]:
    exprs = [t["expr"] for path in DASHBOARDS for t in _targets(json.loads(path.read_text()))]
    for path in DASHBOARDS:
        for var in json.loads(path.read_text()).get("templating", {}).get("list", []):
            if isinstance(var.get("query"), dict) and var["query"].get("query", "").startswith(
                "label_values("
            ):
                exprs.append(re.sub(r"^label_values\((.*),\s*\w+\)$", r"\1", var["query"]["query"]))
    return exprs


def grafana_to_promql(expr: str) -> str:
    for var, value in GRAFANA_VARS.items():
        expr = expr.replace(var, value)
    return expr


def metric_names(expr: str) -> set[str]:
    """Names of every series selector in a PromQL expression (parsed, not grepped)."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            names.update({node.name} if node.name else _name_matchers(node))

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def _name_matchers(selector: Any) -> set[str]:
    return {m.value for m in selector.matchers.matchers if m.name == "__name__"}


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        ('sum by (a) (rate(x_total{job=~".*"}[5m])) / on() group_left y', {"x_total", "y"}),
        ("histogram_quantile(0.9, sum by (le) (rate(h_bucket[1m])))", {"h_bucket"}),
        ('{__name__="z"} and deriv(g[10m]) > 0', {"z", "g"}),
        ("max_over_time(q[1h:5m])", {"q"}),  # subquery
    ],
)
def test_metric_names_are_read_from_the_syntax_tree(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_there_is_something_to_check() -> None:
    assert DASHBOARDS and len(_dashboard_exprs()) >= 15
    assert len(_rules()) >= 15


@pytest.mark.parametrize("expr", _dashboard_exprs())
def test_dashboard_query_uses_exported_metrics(expr: str) -> None:
    unknown = metric_names(grafana_to_promql(expr)) - _exported() - BUILTIN
    assert not unknown, f"{expr!r} queries metrics nothing exports: {sorted(unknown)}"


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r.get("record") or r.get("alert"))
def test_rule_uses_exported_or_recorded_metrics(rule: dict[str, Any]) -> None:
    unknown = metric_names(rule["expr"]) - _exported() - _recorded() - BUILTIN
    assert not unknown, f"{rule['expr']!r} queries metrics nothing exports: {sorted(unknown)}"


def test_rule_unit_test_inputs_are_exported_metrics() -> None:
    cases = yaml.safe_load((PROMETHEUS / "tests" / "rules_test.yml").read_text())["tests"]
    series = {s["series"] for case in cases for s in case["input_series"]}
    unknown = {n for s in series for n in metric_names(s)} - _exported() - BUILTIN
    assert not unknown, f"rule tests feed series the code never exports: {sorted(unknown)}"


def test_dashboard_json_is_the_generator_output() -> None:
    spec = importlib.util.spec_from_file_location("grafana_dashboard", GRAFANA / "dashboard.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (GRAFANA / "dashboards" / "newswatch.json").read_text() == module.render(), (
        "run: python deploy/grafana/dashboard.py"
    )


def _boards() -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in DASHBOARDS]


def _panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel but the rows, panels nested in rows included."""
    out: list[dict[str, Any]] = []
    for p in board["panels"]:
        out += _panels({"panels": p.get("panels", [])}) if p["type"] == "row" else [p]
    return out


def test_panel_ids_are_unique() -> None:
    for board in _boards():
        ids = [p["id"] for p in board["panels"]]
        assert len(set(ids)) == len(ids)


def test_queries_go_through_a_datasource_variable_not_a_fixed_uid() -> None:
    # Importable into any Grafana: no data source uid of one installation is written in.
    for board in _boards():
        variables = {v["name"]: v for v in board["templating"]["list"]}
        ds = variables["datasource"]
        assert ds["type"] == "datasource" and ds["query"] == "prometheus"
        for node in [*_panels(board), *_targets(board), *variables.values()]:
            if "datasource" in node and isinstance(node["datasource"], dict):
                assert node["datasource"]["uid"] == "${datasource}", node.get("title") or node.get("name")


def test_import_dialog_asks_for_the_prometheus() -> None:
    for board in _boards():
        (the_input,) = board["__inputs"]
        assert the_input["type"] == "datasource" and the_input["pluginId"] == "prometheus"
        # the import dialog's choice becomes the variable's initial value
        ds = next(v for v in board["templating"]["list"] if v["name"] == "datasource")
        assert ds["current"]["value"] == "${" + the_input["name"] + "}"
        assert {"type": "datasource", "id": "prometheus"}.items() <= board["__requires"][1].items()


def test_provisioned_grafana_starts_on_the_provisioned_prometheus() -> None:
    # Provisioned from a file, there is no import dialog: the variable falls back to the default.
    provisioned = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    defaults = [d for d in provisioned["datasources"] if d.get("isDefault")]
    assert len(defaults) == 1 and defaults[0]["type"] == "prometheus"


def test_every_panel_has_a_description() -> None:
    for board in _boards():
        for p in _panels(board):
            assert len(p.get("description", "")) > 30, p["title"]


def test_backlog_panels_serve_both_modes_and_say_so() -> None:
    exported = _exported()
    for board in _boards():
        backlog = [
            p
            for p in _panels(board)
            if {"newswatch_kafka_consumer_lag_messages", "newswatch_celery_queue_depth_messages"}
            & _panel_metrics(p)
        ]
        assert len(backlog) == 2
        for p in backlog:
            assert "newswatch_embedded_backlog_messages" in _panel_metrics(p), p["title"]
            assert "Distributed mode" in p["description"] and "Embedded mode" in p["description"]
        assert "newswatch_embedded_backlog_messages" in exported


def _panel_metrics(p: dict[str, Any]) -> set[str]:
    return {n for t in p["targets"] for n in metric_names(grafana_to_promql(t["expr"]))}


def test_dashboard_provider_points_at_a_folder() -> None:
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "newswatch.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
