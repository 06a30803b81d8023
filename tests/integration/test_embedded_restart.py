"""Acknowledged articles survive a kill -9 of the embedded service and are processed after restart."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.integration.embedded_process import EmbeddedProcess, wait_for

N = 1000


def analysed(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        try:
            return int(conn.execute("SELECT COUNT(*) FROM analyses").fetchone()[0])
        except sqlite3.OperationalError:  # table not created yet
            return 0


def test_acknowledged_articles_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "newswatch.sqlite3"
    batch = [{"id": f"r-{i}", "body": f"The ferry timetable changed for route {i}."} for i in range(N)]
    first = EmbeddedProcess(tmp_path).start()
    with first.client() as c:
        r = c.post("/v1/articles", json=batch)
    first.kill()  # right after the 202: most of the batch is still queued, some may be mid-hand-off
    assert r.status_code == 202 and r.json() == {"accepted": N}
    before = analysed(db)
    assert before < N, "everything was processed before the kill; the restart would prove nothing"

    second = EmbeddedProcess(tmp_path).start()
    try:
        wait_for(lambda: analysed(db) == N, 60, f"{N} analyses after restart", every_s=0.2)
        with second.client() as c:
            assert c.get(f"/v1/analyses/r-{N - 1}").json()["id"] == f"r-{N - 1}"
    finally:
        assert second.stop() == 0
    print(f"analysed before kill -9: {before}/{N}; after restart: {analysed(db)}/{N}")


def test_articles_accepted_after_a_full_prune_and_a_restart_are_analysed(tmp_path: Path) -> None:
    """3 articles, a prune that empties the queue, a restart, then 4 more: all 7 are analysed."""
    from newswatch.compose import PIPELINE_GROUP
    from newswatch.transport.embedded import EmbeddedLog

    db = tmp_path / "newswatch.sqlite3"
    first = EmbeddedProcess(tmp_path).start()
    with first.client() as c:
        assert c.post("/v1/articles", json=[{"id": f"a-{i}", "body": "Rain."} for i in range(3)]).is_success
    wait_for(lambda: analysed(db) == 3, 60, "3 analyses")
    assert first.stop() == 0
    log = EmbeddedLog(db)
    assert log.committed(PIPELINE_GROUP, "articles") == 3
    assert log.prune("articles") == 3  # what the service does every minute, here while it is down
    second = EmbeddedProcess(tmp_path).start()
    try:
        with second.client() as c:
            batch = [{"id": f"b-{i}", "body": "Sun."} for i in range(4)]
            assert c.post("/v1/articles", json=batch).is_success
        wait_for(lambda: analysed(db) == 7, 60, "7 analyses")
    finally:
        assert second.stop() == 0


def test_a_second_service_on_the_same_data_dir_refuses_to_start(tmp_path: Path) -> None:
    """The embedded log has one consumer: two services on one directory would process twice."""
    first = EmbeddedProcess(tmp_path).start()
    try:
        with pytest.raises(RuntimeError, match="another process is serving"):
            EmbeddedProcess(tmp_path).start()
    finally:
        assert first.stop() == 0
