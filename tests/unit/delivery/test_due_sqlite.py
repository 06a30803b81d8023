"""The embedded due table: claims, leases (crash recovery) and replay tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.store.delivery_due_sqlite import SQLiteDueDeliveries
from newswatch.store.sqlite import SQLiteDB


@pytest.fixture
def due(tmp_path: Path) -> SQLiteDueDeliveries:
    return SQLiteDueDeliveries(SQLiteDB(tmp_path / "s.sqlite3"))


def test_claims_due_rows_oldest_first_and_not_future_ones(due: SQLiteDueDeliveries) -> None:
    due.add("b", 1, 20.0)
    due.add("a", 2, 10.0)
    due.add("later", 1, 99.0)
    first, second = due.claim(50.0, 30), due.claim(50.0, 30)
    assert (first and first.alert_id, first and first.attempt) == ("a", 2)
    assert second is not None and second.alert_id == "b"
    assert due.claim(50.0, 30) is None  # `later` is not due; a and b are leased


def test_a_lease_expires_so_a_crashed_claim_is_claimed_again(due: SQLiteDueDeliveries) -> None:
    due.add("a", 1, 0.0)
    assert due.claim(10.0, 30) is not None  # claimed, then the process "dies"
    assert due.claim(39.0, 30) is None  # still leased
    again = due.claim(40.0, 30)
    assert again is not None and again.alert_id == "a"


def test_complete_and_reschedule(due: SQLiteDueDeliveries) -> None:
    due.add("a", 1, 0.0)
    claim = due.claim(1.0, 30)
    assert claim is not None
    due.reschedule(claim, 2, 5.0)
    assert due.next_due() == 5.0
    retry = due.claim(5.0, 30)
    assert retry is not None and retry.attempt == 2
    due.complete(retry)
    assert due.next_due() is None


def test_a_replay_during_an_attempt_survives_its_completion(due: SQLiteDueDeliveries) -> None:
    due.add("a", 3, 0.0)
    in_flight = due.claim(1.0, 30)
    assert in_flight is not None
    due.add("a", 1, 1.0)  # replay enqueued meanwhile
    due.complete(in_flight)  # the old run finishing must not drop the replay
    replay = due.claim(2.0, 30)
    assert replay is not None and replay.attempt == 1
