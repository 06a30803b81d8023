"""The embedded all-in-one end to end: article in over HTTP, a signed webhook out to a real receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from tests.integration.embedded_process import EmbeddedProcess, wait_for

DELIVERED_WITHIN_S = 10.0
STORY = (
    "Missile strike knocks out power station near the harbour",
    "A missile struck the coastal power plant before dawn, the grid operator said.",
)


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST (headers and raw body) and answers 204."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[EmbeddedProcess]:
    svc = EmbeddedProcess(tmp_path, {"NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "1"}).start()
    yield svc
    assert svc.stop() == 0


def article(n: int, source: str) -> dict[str, Any]:
    title, body = STORY
    return {"id": f"story-{n}", "source": source, "title": title, "body": body}


def test_one_signed_alert_per_story(service: EmbeddedProcess, receiver: Receiver) -> None:
    with service.client() as admin:
        r = admin.post(
            "/v1/subscriptions",
            json={
                "name": "grid",
                "filters": {"event_types": ["power_plant_strike"]},
                "webhook": {"url": receiver.url},
            },
        )
        assert r.status_code == 201, r.text
        secret = r.json()["secret"]
        assert admin.post("/v1/articles", json=article(1, "outlet-a")).status_code == 202

        (headers, body), *_ = wait_for(lambda: receiver.received, DELIVERED_WITHIN_S, "the webhook")
        payload = Webhook(secret).verify(body, headers)  # raises unless the signature is valid
        assert payload["type"] == "story.detected"
        assert "power_plant_strike" in payload["data"]["event_types"]
        listed = wait_for(
            lambda: admin.get("/v1/alerts").json()["items"], DELIVERED_WITHIN_S, "GET /v1/alerts"
        )
        assert [a["id"] for a in listed] == [headers["webhook-id"]]

        # Another outlet's copy of the same story: processed, but no second story.detected.
        assert admin.post("/v1/articles", json=article(2, "outlet-b")).status_code == 202
        # Its analysis is stored after its alerts, so once it is visible the alert list is final.
        wait_for(lambda: admin.get("/v1/analyses/story-2").status_code == 200, DELIVERED_WITHIN_S, "analysis")
        assert [a["kind"] for a in admin.get("/v1/alerts").json()["items"]] == ["story.detected"]
    assert len([b for h, b in receiver.received if b'"story.detected"' in b]) == 1
