"""`GET /v1/deliveries` over HTTP (uvicorn on 127.0.0.1, embedded services): isolation, filters, pages."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from newswatch import compose
from newswatch.api.app import create_app
from newswatch.config import Settings
from newswatch.delivery.log import DeliveryAttempt
from newswatch.store.delivery_log_sqlite import SQLiteDeliveryLog
from newswatch.store.sqlite import SQLiteDB

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ADMIN = "admin-token-for-tests"


@dataclass
class Api:
    client: httpx.Client
    key_a: str
    key_b: str

    def get(self, key: str | None, **params: str | int) -> tuple[int, dict[str, Any]]:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        r = self.client.get("/v1/deliveries", params=params, headers=headers)
        return r.status_code, r.json()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = Settings.from_env({"NEWSWATCH_DATA_DIR": str(tmp_path), "NEWSWATCH_ADMIN_TOKEN": ADMIN})
    services = compose.build(settings)
    db = SQLiteDB(settings.sqlite_path)
    log = SQLiteDeliveryLog(db)
    services.deliveries = log
    for n, (tenant, sub) in enumerate([("a", "sub_a1"), ("b", "sub_b1"), ("a", "sub_a2"), ("a", "sub_a1")]):
        at = T0 + timedelta(minutes=n)
        log.append(DeliveryAttempt(f"alt_{n}", sub, tenant, 1, at, "delivered", 200, 0.01))
    server = uvicorn.Server(
        uvicorn.Config(create_app(services), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        yield Api(client, services.api_keys.create("a"), services.api_keys.create("b"))
    server.should_exit = True
    thread.join(10)
    services.close()
    db.close()


def alert_ids(body: dict[str, Any]) -> list[str]:
    return [item["alert_id"] for item in body["items"]]


def test_tenants_see_only_their_own_attempts(api: Api) -> None:
    assert alert_ids(api.get(api.key_a)[1]) == ["alt_3", "alt_2", "alt_0"]
    assert alert_ids(api.get(api.key_b)[1]) == ["alt_1"]
    # B asking for A's subscription learns nothing
    assert alert_ids(api.get(api.key_b, subscription_id="sub_a1")[1]) == []
    # the admin sees every tenant
    assert alert_ids(api.get(ADMIN)[1]) == ["alt_3", "alt_2", "alt_1", "alt_0"]


def test_filters_and_cursor(api: Api) -> None:
    assert alert_ids(api.get(api.key_a, subscription_id="sub_a1")[1]) == ["alt_3", "alt_0"]
    assert alert_ids(api.get(api.key_a, since="2026-11-25T12:02:00Z")[1]) == ["alt_3", "alt_2"]
    status, first = api.get(api.key_a, limit=2)
    assert status == 200 and alert_ids(first) == ["alt_3", "alt_2"] and first["cursor"]
    rest = api.get(api.key_a, limit=2, cursor=first["cursor"])[1]
    assert alert_ids(rest) == ["alt_0"] and rest["cursor"] is None


def test_record_fields(api: Api) -> None:
    item = api.get(api.key_b)[1]["items"][0]
    assert item == {
        "alert_id": "alt_1",
        "subscription_id": "sub_b1",
        "tenant": "b",
        "attempt": 1,
        "at": "2026-11-25T12:01:00Z",
        "outcome": "delivered",
        "status": 200,
        "latency": 0.01,
        "error": None,
        "next_at": None,
    }


@pytest.mark.parametrize(
    ("key", "params", "status"),
    [
        (None, {}, 401),  # no key
        ("not-a-key", {}, 401),  # unknown key
        ("A", {"limit": 0}, 422),  # limit out of range
        ("A", {"cursor": "abc"}, 422),  # cursor not ours
        ("A", {"since": "2026-11-25T12:00:00"}, 422),  # naive time is ambiguous
    ],
)
def test_rejections(api: Api, key: str | None, params: dict[str, str | int], status: int) -> None:
    assert api.get(api.key_a if key == "A" else key, **params)[0] == status
