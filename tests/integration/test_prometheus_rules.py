"""promtool accepts the Prometheus config and rules, and the rule unit tests pass."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.integration._prometheus import PROMETHEUS_DIR, binary

RULE_FILES = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary("promtool"), *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True, timeout=60
    )


def test_config_is_valid() -> None:
    done = promtool("check", "config", "prometheus.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_rules_are_valid(path) -> None:
    done = promtool("check", "rules", str(path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_rule_unit_tests_pass() -> None:
    done = promtool("test", "rules", "tests/rules_test.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_every_alert_has_a_firing_unit_test() -> None:
    alerts = {
        rule["alert"]
        for group in yaml.safe_load((PROMETHEUS_DIR / "rules" / "alerts.yml").read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }
    cases = yaml.safe_load((PROMETHEUS_DIR / "tests" / "rules_test.yml").read_text())["tests"]
    fired = {c["alertname"] for t in cases for c in t.get("alert_rule_test", []) if c["exp_alerts"]}
    assert alerts and alerts <= fired, f"alerts without a firing test: {sorted(alerts - fired)}"


def test_config_loads_every_rule_file() -> None:
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    assert sorted(config["rule_files"]) == sorted(f"rules/{p.name}" for p in RULE_FILES)
