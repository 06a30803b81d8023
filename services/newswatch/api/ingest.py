"""Checking a batch of submitted articles: pure, no I/O (the router does the queueing).

A batch is all or nothing: when any item is invalid, none is queued. That
is what a 4xx promises a client (the request had no effect on the queue),
so the client can fix or drop the reported items and resend the whole batch
without duplicating the good ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from newswatch.contracts import jsonio
from newswatch.contracts.articles import MAX_MESSAGE_BYTES, validate_article
from newswatch.domain.errors import InvalidMessage

MAX_BATCH_ITEMS = 1000


@dataclass(frozen=True, slots=True)
class Item:
    """One valid article, encoded as it will be queued."""

    id: str
    raw: bytes


@dataclass(frozen=True, slots=True)
class Rejected:
    index: int | None  # position in the array; None when the body itself is unusable
    error: InvalidMessage
    raw: bytes


@dataclass(frozen=True, slots=True)
class Checked:
    items: list[Item] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def encode(obj: Any) -> bytes:
    """Compact UTF-8 JSON, the bytes the pipeline will decode (jsonio already vetted the values)."""
    return orjson.dumps(obj)


def check_item(index: int, obj: Any) -> Item | Rejected:
    raw = encode(obj)
    try:
        if len(raw) > MAX_MESSAGE_BYTES:
            raise InvalidMessage("too_large", f"article is {len(raw)} bytes, limit {MAX_MESSAGE_BYTES}")
        return Item(validate_article(obj).id, raw)
    except InvalidMessage as exc:
        return Rejected(index, exc, raw)


def parse_body(body: bytes) -> list[Any]:
    """The submitted articles: a JSON array, or one object as a list of one.

    Raises InvalidMessage('decode_error') when the body is not JSON by the pipeline's rules
    (contracts/jsonio.py): what the edge accepts, the pipeline can read.
    """
    parsed = jsonio.loads(body)
    return parsed if isinstance(parsed, list) else [parsed]


def check_items(objs: list[Any]) -> Checked:
    """Check each article against schemas/article.v1 and the message size limit."""
    results = [check_item(i, obj) for i, obj in enumerate(objs)]
    return Checked(
        items=[r for r in results if isinstance(r, Item)],
        rejected=[r for r in results if isinstance(r, Rejected)],
    )
