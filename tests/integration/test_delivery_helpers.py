"""Real HTTP receivers on 127.0.0.1 that verify Standard Webhooks signatures, and test records.

Imported by the delivery integration tests; the tests here check the receiver itself.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from newswatch.alerts.ports import AlertRecord, AlertStore, Filters, Subscription
from newswatch.alerts.ports import Webhook as Hook
from newswatch.delivery.policy.signing import encode_body, signed_headers

EXAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "examples" / "alert.v1.detected.json"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: Any  # the parsed body when the signature verified, else None


@dataclass
class Receiver:
    """Answers POSTs with `statuses` in order (the last repeats); records and verifies each one."""

    secret: str
    statuses: list[int]
    got: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    hang_first: float = 0.0  # seconds to sit on the first request before answering

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        try:
            parsed = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            parsed = None
        self.got.append(Received(headers, body, parsed))
        return self.statuses[min(len(self.got), len(self.statuses)) - 1]

    def wait_for(self, n: int, timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.got) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.got


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            if len(receiver.got) == 1 and receiver.hang_first:
                time.sleep(receiver.hang_first)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    return Handler


def receiver_factory() -> Iterator[Callable[..., Receiver]]:
    """Body of a `receiver` fixture: `receiver(200)` or `receiver(500, 500, 200)` -> a started Receiver.

    Test modules define `receiver` as `yield from receiver_factory()`.
    """
    servers: list[ThreadingHTTPServer] = []

    def make(*statuses: int, secret: str | None = None, hang_first: float = 0.0) -> Receiver:
        r = Receiver(secret or new_secret(), list(statuses) or [200], hang_first=hang_first)
        r.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(r))
        r.server.daemon_threads = True  # keep-alive connections must not hold up shutdown
        threading.Thread(target=r.server.serve_forever, daemon=True).start()
        servers.append(r.server)
        return r

    yield make
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from receiver_factory()


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def make_subscription(url: str, secret: str, tenant: str = "t1") -> Subscription:
    return Subscription(unique("sub"), tenant, "delivery test", Filters(), Hook(url), secret)


def make_alert(sub: Subscription) -> AlertRecord:
    payload = json.loads(EXAMPLE.read_text())
    alert_id = unique("alt")
    payload["data"].update(alert_id=alert_id, subscription_id=sub.id)
    return AlertRecord(alert_id, sub.id, sub.tenant, "story.detected", "sty_1", 0, payload)


def status_of(alerts: AlertStore, alert_id: str) -> str | None:
    """The alert's delivery status, or None while it is not stored."""
    record = alerts.get(alert_id)
    return None if record is None else record.status


def wait_until(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_receiver_verifies_good_and_flags_bad_signatures(receiver: Callable[..., Receiver]) -> None:
    r = receiver(202)
    body = b'{"hello":"world"}'
    good = signed_headers(r.secret, "msg_1", body, _now())
    assert httpx.post(r.url, content=body, headers=good).status_code == 202
    bad = {
        **good,
        "webhook-signature": signed_headers(new_secret(), "msg_1", body, _now())["webhook-signature"],
    }
    httpx.post(r.url, content=body, headers=bad)
    assert [g.verified for g in r.got] == [{"hello": "world"}, None]


def _now() -> datetime:
    return datetime.now(UTC)


def test_alert_records_encode_to_valid_bodies() -> None:
    from newswatch.contracts.schemas import schema_errors

    alert = make_alert(make_subscription("http://127.0.0.1:1/", new_secret()))
    assert schema_errors("alert", json.loads(encode_body(alert.payload))) == []
