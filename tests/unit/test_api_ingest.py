"""Checking submitted article batches (pure part of POST /v1/articles)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newswatch.api.ingest import check_items, parse_body
from newswatch.contracts.articles import MAX_MESSAGE_BYTES
from newswatch.domain.errors import InvalidMessage

OK = {"id": "a", "body": "Some words."}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"id": "a", "body": "x"}', [{"id": "a", "body": "x"}]),  # one object -> a list of one
        (b'[{"id": "a", "body": "x"}, 3]', [{"id": "a", "body": "x"}, 3]),  # arrays kept as they are
        (b"[]", []),
        (b'"text"', ["text"]),  # valid JSON; the schema check rejects it later
    ],
)
def test_parse_body(body: bytes, expected: list[Any]) -> None:
    assert parse_body(body) == expected


@pytest.mark.parametrize("body", [b"", b"{", b"nope", b"\xff\xfe\xfa"])
def test_parse_body_rejects_non_json(body: bytes) -> None:
    with pytest.raises(InvalidMessage) as exc:
        parse_body(body)
    assert exc.value.reason == "decode_error"


@pytest.mark.parametrize(
    ("objs", "ok_ids", "bad"),
    [
        ([OK], ["a"], []),
        ([OK, {"id": "b"}], ["a"], [(1, "schema_invalid")]),  # missing body
        ([{"body": "x"}, OK], ["a"], [(0, "schema_invalid")]),  # missing id
        ([7, "x", None], [], [(0, "schema_invalid"), (1, "schema_invalid"), (2, "schema_invalid")]),
        ([{**OK, "body": "x" * (MAX_MESSAGE_BYTES + 1)}], [], [(0, "too_large")]),
    ],
)
def test_check_items(objs: list[Any], ok_ids: list[str], bad: list[tuple[int, str]]) -> None:
    checked = check_items(objs)
    assert [i.id for i in checked.items] == ok_ids
    assert [(r.index, r.error.reason) for r in checked.rejected] == bad


def test_valid_items_are_queued_as_compact_utf8_json() -> None:
    (item,) = check_items([{"id": "k", "body": "Київ"}]).items
    assert item.raw == '{"id":"k","body":"Київ"}'.encode()
    assert json.loads(item.raw) == {"id": "k", "body": "Київ"}
