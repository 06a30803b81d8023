"""The small form of `make chaos`, run by `make test`: every kind of fault once or twice, fewer
articles. The counts are printed (pytest -s) and every loss fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos import distributed, embedded

pytestmark = pytest.mark.slow
SEED = 7


def test_embedded_service_killed_and_pruned_loses_nothing(tmp_path: Path) -> None:
    report = embedded.run(tmp_path, **embedded.size(small=True), seed=SEED)
    print("\n".join(report.lines()))
    assert report.faults["newswatch run SIGKILL"] >= 1 and report.faults["prunes while down"] >= 1
    assert report.accepted > 0 and report.stored > 0
    assert report.ok(), "\n".join(report.lines())


@pytest.mark.redis  # a private redis-server, killed on purpose
def test_distributed_stack_under_kills_loses_nothing(tmp_path: Path, kafka_bootstrap: str) -> None:
    report = distributed.run(tmp_path, **distributed.size(small=True), seed=SEED)
    print("\n".join(report.lines()))
    faults = report.faults
    assert faults["worker SIGKILL"] and faults["delivery worker SIGKILL"] and faults["Redis SIGKILL"]
    assert report.accepted > 0 and report.stored > 0
    assert report.ok(), "\n".join(report.lines())
