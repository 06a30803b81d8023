"""Dead-letter records stay small enough for one Kafka request whatever they reject."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest

from newswatch.contracts.schemas import schema_errors
from newswatch.domain.errors import InvalidMessage
from newswatch.pipeline import Pipeline
from newswatch.runtime.worker_records import WorkerTopics, dead_letter
from newswatch.store.dead_letters import ORIGINAL_KEEP_BYTES, dead_letter_record
from newswatch.transport.base import Envelope, Position
from newswatch.transport.kafka import MAX_REQUEST_BYTES

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SOURCE = {"transport": "kafka", "topic": "articles", "partition": 3, "offset": 9}
# The worst of every free-text field: control characters cost 6 bytes each as JSON escapes.
WORST_TEXT = "\x01" * 200_000
WORST_ERRORS = [{"path": WORST_TEXT, "message": WORST_TEXT}] * 1000


@pytest.mark.parametrize(
    ("original", "truncated"),
    [
        (b"", False),  # empty (what a tombstone keeps)
        (b"{not json", False),  # small: kept whole
        (b"x" * ORIGINAL_KEEP_BYTES, False),  # exactly the limit: kept whole
        (b"x" * (ORIGINAL_KEEP_BYTES + 1), True),  # one byte over: cut
        (b"\xff" * 750_000, True),  # ~750 KB: base64 alone would pass 1 MB
        (b'"' * 1_999_999, True),  # just under the decoder's 2 MB limit
    ],
)
def test_record_keeps_size_and_sha256_of_the_whole_original_and_fits_a_kafka_request(
    original: bytes, truncated: bool
) -> None:
    exc = InvalidMessage("schema_invalid", WORST_TEXT, WORST_ERRORS)
    record = dead_letter_record(exc, original, SOURCE, NOW)
    assert schema_errors("dead-letter", record) == []
    assert record["original_size"] == len(original)
    assert record["original_sha256"] == hashlib.sha256(original).hexdigest()
    assert record["original_truncated"] is truncated
    kept = base64.b64decode(record["original"])
    assert original.startswith(kept) and len(kept) == min(len(original), ORIGINAL_KEEP_BYTES)
    encoded = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(encoded) < MAX_REQUEST_BYTES - 100_000  # room for the key and the record's framing


def test_a_tombstone_is_kept_as_an_empty_original() -> None:
    record = dead_letter_record(InvalidMessage("decode_error", "tombstone"), None, SOURCE, NOW)
    assert (record["original"], record["original_size"], record["original_truncated"]) == ("", 0, False)


def test_the_worker_keys_a_dead_letter_like_its_original_unless_the_key_is_huge() -> None:
    topics = WorkerTopics()
    exc = InvalidMessage("decode_error", "x")
    small = Envelope(b"x", Position("articles", 0, 1), key=b"id-1")
    huge = Envelope(b"x", Position("articles", 0, 2), key=b"k" * 900_000)
    assert dead_letter(small, exc, topics, NOW).key == b"id-1"
    assert dead_letter(huge, exc, topics, NOW).key == hashlib.sha256(b"k" * 900_000).digest()


class Untouched:
    def analyze(self, article: object, timer: object = None) -> object:
        raise AssertionError("not reached")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "decode_error"),  # a Kafka tombstone
        # deeper than the shared parser's bound (contracts/jsonio.py: MAX_DEPTH), which the HTTP
        # edge applies too; before that bound, explaining the schema error recursed too deep
        (b"[" * 1000 + b"]" * 1000, "decode_error"),
        (b'{"a":' * 1000 + b"1" + b"}" * 1000, "decode_error"),
        (b"[" * 65 + b"]" * 65, "decode_error"),
        (b"[" * 64 + b"]" * 64, "schema_invalid"),  # within the bound: an array is no article
        (b"[" * 5000 + b"]" * 5000, "decode_error"),  # deeper than the decoder allows
    ],
)
def test_pure_stages_turn_any_failure_into_invalid_message(raw: bytes | None, reason: str) -> None:
    pipeline = Pipeline(Untouched(), None)  # type: ignore[arg-type]
    with pytest.raises(InvalidMessage) as caught:
        pipeline.analyse(raw)
    assert caught.value.reason == reason
    assert len(caught.value.detail) < 5000


@pytest.mark.parametrize("exc", [RecursionError("maximum recursion depth exceeded"), TypeError("unhashable")])
def test_a_surprise_in_validation_is_a_schema_invalid_dead_letter(
    monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    import newswatch.pipeline as pipeline_module

    def explode(obj: object) -> object:
        raise exc

    monkeypatch.setattr(pipeline_module, "validate_article", explode)
    with pytest.raises(InvalidMessage) as caught:
        Pipeline(Untouched(), None).analyse(b'{"id": "x", "body": "y"}')  # type: ignore[arg-type]
    assert caught.value.reason == "schema_invalid"
    assert type(exc).__name__ in caught.value.detail
