"""The article gate: what decodes and validates, and the typed error for what does not."""

from __future__ import annotations

import json

import pytest

from newswatch.contracts.articles import MAX_MESSAGE_BYTES, decode_article
from newswatch.domain.errors import InvalidMessage


def _raw(**fields: object) -> bytes:
    return json.dumps({"id": "a-1", "body": "Text.", **fields}).encode()


@pytest.mark.parametrize(
    ("raw", "reason", "path"),
    [
        (b"\xff\xfe", "decode_error", None),  # not UTF-8
        (b"{not json", "decode_error", None),  # not JSON
        (b" " * (MAX_MESSAGE_BYTES + 1), "too_large", None),  # over the size limit
        (json.dumps({"id": "a-1"}).encode(), "schema_invalid", "$"),  # body missing
        (_raw(body=""), "schema_invalid", "$.body"),  # empty body
        (_raw(url="not a uri"), "schema_invalid", "$.url"),  # format: uri is enforced
        (_raw(published_at="yesterday"), "schema_invalid", "$.published_at"),  # format: date-time
        (_raw(language="English"), "schema_invalid", "$.language"),  # BCP 47-like tag
        (_raw(extra=1), "schema_invalid", "$"),  # unknown field
    ],
)
def test_bad_input_raises_one_typed_error(raw: bytes, reason: str, path: str | None) -> None:
    with pytest.raises(InvalidMessage) as caught:
        decode_article(raw)
    assert caught.value.reason == reason
    if path is not None:
        assert caught.value.errors[0]["path"] == path


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b'{"id": "a-1", "body": "Text.",', "not JSON"),  # truncated
        (b'{"id": "a-1", "body": "Text.", "title": NaN}', "not JSON"),  # NaN is no JSON value
        (b'{"id": "a-1", "body": "Text \\ud800."}', "not JSON"),  # a lone surrogate
    ],
)
def test_decode_errors_say_what_was_wrong(raw: bytes, detail: str) -> None:
    with pytest.raises(InvalidMessage) as caught:
        decode_article(raw)
    assert caught.value.reason == "decode_error"
    assert caught.value.detail.startswith(detail)


def test_valid_article_keeps_every_field() -> None:
    article = decode_article(
        _raw(title="T", url="https://example.org/a", published_at="2024-05-01T10:00:00Z", language="en")
    )
    assert (article.id, article.title, article.url) == ("a-1", "T", "https://example.org/a")
    assert article.text == "T\nText."
