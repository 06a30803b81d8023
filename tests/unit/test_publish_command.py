"""`newswatch publish` checks every line and reports the invalid ones (here onto the embedded log)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.commands.publish import publish
from newswatch.transport.embedded import EmbeddedLog

LINES = [
    b'{"id": "p1", "body": "One."}\n',
    b"not json\n",
    b"\n",
    b'{"id": "p2"}\n',
    b'{"id": "p3", "body": "3"}\r\n',
]


@pytest.mark.parametrize(
    ("skip", "sent_ids"),
    [
        (False, [b"p1", None, b"p2", b"p3"]),  # invalid lines reported, still sent for the dead-letter path
        (True, [b"p1", b"p3"]),  # --skip-invalid: only valid articles go out
    ],
)
def test_invalid_lines_are_reported_with_their_number(tmp_path: Path, skip: bool, sent_ids: list) -> None:
    log = EmbeddedLog(tmp_path / "q.sqlite3")
    notes: list[str] = []
    done = publish(LINES, log.producer(), "articles", notes.append, skip_invalid=skip)
    assert (done.sent, done.invalid, done.skipped) == (len(sent_ids), 2, 2 if skip else 0)
    assert [n.split(":")[0] for n in notes] == ["line 2", "line 4"]
    assert "(decode_error)" in notes[0] and "(schema_invalid)" in notes[1]
    assert all(n.endswith("skipped" if skip else "the worker will dead-letter it") for n in notes)
    assert [e.key for e in log.read("articles", 0, 10)] == sent_ids
