"""The delivery journal: rows survive a reopen, one process applies a row at a time, steps resume."""

from __future__ import annotations

from pathlib import Path

from newswatch.store.delivery_journal import Entry, Journal

DELIVERED = Entry("alt_1", 1, {"alert_id": "alt_1"}, "delivered")
RETRY = Entry("alt_2", 2, None, "failed", following=3, due_at=1000.0)


def test_a_row_is_leased_to_its_writer_then_to_one_flusher_at_a_time(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite3")
    row = j.add(DELIVERED, now=100.0, lease_s=60)
    assert j.claim(now=120.0, lease_s=60) == []  # the writer is applying it
    j.release(row)  # applying failed (Redis away)
    (claimed,) = j.claim(now=121.0, lease_s=60)
    assert claimed.entry == DELIVERED and claimed.step == 0
    assert j.claim(now=122.0, lease_s=60) == []  # another flusher gets nothing meanwhile
    assert [r.entry for r in j.claim(now=182.0, lease_s=60)] == [DELIVERED]  # its flusher died


def test_rows_survive_a_reopen_with_their_progress_and_go_when_done(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite3")
    j.release(j.add(DELIVERED, 0.0, 60))
    second = j.add(RETRY, 0.0, 60)
    j.progress(second, 2)
    j.release(second)
    j.close()
    again = Journal(tmp_path / "j.sqlite3")
    rows = again.claim(now=1.0, lease_s=60)
    assert [(r.entry, r.step) for r in rows] == [(DELIVERED, 0), (RETRY, 2)]
    for r in rows:
        again.done(r)
    assert again.count() == 0


def test_entries_round_trip() -> None:
    for e in (DELIVERED, RETRY, Entry("alt_3", 0, following=1, due_at=5.5)):
        assert Entry.loads(e.dumps()) == e
