"""`python -m bench` picks benchmarks by whether they need the local servers."""

from __future__ import annotations

import bench.__main__ as runner
import pytest


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--no-servers"], {"analysis_speed", "delivery_embedded", "matching_speed", "planner_stories"}),
        (
            ["--servers"],
            {"delivery_celery", "kafka_latency", "kafka_throughput", "planner_real", "planner_stories_redis"},
        ),
        (["--servers", "analysis_speed", "kafka_latency"], {"kafka_latency"}),
        (["matching_speed"], {"matching_speed"}),
    ],
)
def test_selection(monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: set[str]) -> None:
    ran: list[str] = []

    def run_one(name: str) -> bool:
        ran.append(name)
        return True

    monkeypatch.setattr(runner, "run_one", run_one)
    assert runner.main(argv) == 0
    # helper modules without main() are imported and skipped by run_one itself
    assert {n for n in ran if n not in ("kafka_articles", "kafka_harness")} == expected
