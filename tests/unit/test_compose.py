"""deploy/docker-compose.yml is structurally sound (no Docker engine here to run it)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from newswatch.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
NEWSWATCH = sorted(name for name, svc in SERVICES.items() if "build" in svc)
REQUIRED = {"kafka", "redis", "api", "worker", "delivery", "prometheus", "grafana", "receiver"}
PORT = re.compile(r"^(\d+:)?\d+(/tcp|/udp)?$")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_part_of_the_stack_is_there() -> None:
    assert set(SERVICES) >= REQUIRED
    assert {"api", "worker", "delivery"} <= set(NEWSWATCH)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_has_an_image_or_a_build(name: str) -> None:
    svc = SERVICES[name]
    assert "image" in svc or "build" in svc
    if "build" in svc:
        context = DEPLOY / svc["build"]["context"]
        assert (context / svc["build"].get("dockerfile", "Dockerfile")).is_file()


@pytest.mark.parametrize("name", NEWSWATCH)
def test_newswatch_command_exists_in_the_cli(name: str) -> None:
    command = SERVICES[name]["command"]
    assert command[0] == "newswatch"
    assert command[1] in _subcommands(), f"{name}: `newswatch {command[1]}` is not a sub-command"
    build_parser().parse_args(command[1:])  # flags too: argparse exits on an unknown one


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_ports_and_volumes_are_well_formed(name: str) -> None:
    svc = SERVICES[name]
    for port in [*svc.get("ports", []), *svc.get("expose", [])]:
        assert PORT.match(str(port)), port
    named = set(COMPOSE.get("volumes") or {})
    for volume in svc.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith("."):
            assert (DEPLOY / source).exists(), f"{name}: bind mount {source} does not exist"
        else:
            assert source in named, f"{name}: volume {source} is not declared"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_dependencies_are_services(name: str) -> None:
    assert set(SERVICES[name].get("depends_on", [])) <= set(SERVICES)


def test_kafka_runs_kraft_and_redis_persists_with_aof() -> None:
    kafka = SERVICES["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    redis = SERVICES["redis"]
    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") for v in redis["volumes"])


def test_newswatch_services_run_distributed() -> None:
    for name in NEWSWATCH:
        env = SERVICES[name]["environment"]
        assert env["NEWSWATCH_BACKEND"] == "distributed"
        assert env["NEWSWATCH_KAFKA_BOOTSTRAP"].split(":")[0] in SERVICES
        assert env["NEWSWATCH_REDIS_URL"].split("//")[1].split(":")[0] in SERVICES


def test_delivery_exports_in_multiprocess_mode_from_a_fresh_dir() -> None:
    delivery = SERVICES["delivery"]
    assert delivery["environment"]["PROMETHEUS_MULTIPROC_DIR"] in delivery["tmpfs"]


def _scrape_targets() -> list[tuple[str, int]]:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = []
    for job in config["scrape_configs"]:
        for static in job.get("static_configs", []):
            targets += [(t.split(":")[0], int(t.split(":")[1])) for t in static["targets"]]
        for dns in job.get("dns_sd_configs", []):
            targets += [(n, int(dns["port"])) for n in dns["names"]]
    return targets


def _listens_on(name: str, port: int) -> bool:
    svc = SERVICES[name]
    published = {
        int(str(p).split(":")[-1].split("/")[0]) for p in [*svc.get("ports", []), *svc.get("expose", [])]
    }
    metrics_port = svc.get("environment", {}).get("NEWSWATCH_METRICS_PORT")
    return port in published and (metrics_port is None or int(metrics_port) == port)


def test_prometheus_scrapes_every_newswatch_service_where_it_listens() -> None:
    targets = [(h, p) for h, p in _scrape_targets() if h != "localhost"]
    assert {h for h, _ in targets} >= set(NEWSWATCH)
    for host, port in targets:
        assert host in SERVICES and _listens_on(host, port), f"{host}:{port} is not served"


def test_grafana_reads_the_provisioning_and_the_stack_prometheus() -> None:
    mounts = {v.split(":")[1]: v.split(":")[0] for v in SERVICES["grafana"]["volumes"]}
    assert mounts["/etc/grafana/provisioning"] == "./grafana/provisioning"
    datasources = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    url = datasources["datasources"][0]["url"]
    assert url == "http://prometheus:9090" and "9090:9090" in SERVICES["prometheus"]["ports"]
    provider = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/newswatch.yml").read_text())
    assert mounts[provider["providers"][0]["options"]["path"]] == "./grafana/dashboards"


def test_stack_runs_the_kafka_version_the_tests_run() -> None:
    pom = (DEPLOY / "local" / "kafka" / "pom.xml").read_text()
    (version,) = re.findall(r"<kafka\.version>([^<]+)</kafka\.version>", pom)
    images = {svc["image"] for svc in SERVICES.values() if svc.get("image", "").startswith("apache/kafka:")}
    assert images == {f"apache/kafka:{version}"}
