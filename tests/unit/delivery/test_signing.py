from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from newswatch.contracts.schemas import schema_errors
from newswatch.delivery.policy.signing import encode_body, signed_headers

SECRET = "whsec_" + base64.b64encode(b"unit-test-secret-0123456789abcdef").decode()
EXAMPLES = Path(__file__).resolve().parents[3] / "schemas" / "examples"


def body_of(name: str) -> bytes:
    return encode_body(json.loads((EXAMPLES / name).read_text()))


@pytest.mark.parametrize("example", ["alert.v1.detected.json", "alert.v1.updated.json", "alert.v1.test.json"])
def test_signed_example_verifies_and_is_a_valid_alert(example: str) -> None:
    body = body_of(example)
    headers = signed_headers(SECRET, "alt_1", body, datetime.now(UTC))
    parsed = Webhook(SECRET).verify(body, headers)
    assert schema_errors("alert", parsed) == []


def test_wrong_secret_fails_verification() -> None:
    body = body_of("alert.v1.test.json")
    headers = signed_headers(SECRET, "alt_1", body, datetime.now(UTC))
    other = "whsec_" + base64.b64encode(b"another-secret-abcdefghijklmnop").decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)


def test_tampered_body_fails_verification() -> None:
    body = body_of("alert.v1.test.json")
    headers = signed_headers(SECRET, "alt_1", body, datetime.now(UTC))
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"test", b"tost"), headers)


HEADER_CASES = [
    # the id header is the alert id
    ({}, "webhook-id", "alt_42"),
    # the timestamp is whole Unix seconds of the send time
    ({}, "webhook-timestamp", "1764072000"),
    # subscriber headers are passed through
    ({"X-Tenant-Key": "k1"}, "X-Tenant-Key", "k1"),
    # a subscriber cannot override the signature headers (any case)
    ({"Webhook-Id": "spoof"}, "webhook-id", "alt_42"),
    # JSON content type
    ({}, "content-type", "application/json"),
    # nor the content type the signature covers
    ({"Content-Type": "text/plain"}, "content-type", "application/json"),
]


@pytest.mark.parametrize(("extra", "name", "value"), HEADER_CASES)
def test_headers(extra: dict[str, str], name: str, value: str) -> None:
    now = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
    headers = signed_headers(SECRET, "alt_42", b"{}", now, extra)
    assert headers[name] == value
    assert not {"Webhook-Id", "Content-Type"} & headers.keys()


@pytest.mark.parametrize("name", ["Host", "content-length", "Transfer-Encoding", "Connection"])
def test_transport_headers_cannot_be_set_by_subscribers(name: str) -> None:
    headers = signed_headers(SECRET, "alt_1", b"{}", datetime.now(UTC), {name: "x"})
    assert name not in headers


def test_encoding_is_stable_and_compact() -> None:
    assert encode_body({"b": 1, "a": "ü"}) == encode_body({"a": "ü", "b": 1}) == '{"a":"ü","b":1}'.encode()
