"""The HTTP API of a real embedded `newswatch run`, over HTTP: ingest, dead letters, keys, analyses."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from newswatch.contracts.schemas import schema_errors
from newswatch.transport.embedded import EmbeddedLog
from tests.integration.embedded_process import EmbeddedProcess, analysis_of, wait_for

PROCESSED_WITHIN_S = 10.0


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedProcess]:
    svc = EmbeddedProcess(tmp_path_factory.mktemp("embedded")).start()
    yield svc
    assert svc.stop() == 0  # SIGTERM is a clean stop


@pytest.fixture
def admin(service: EmbeddedProcess) -> Iterator[httpx.Client]:
    with service.client() as c:
        yield c


@pytest.fixture
def anonymous(service: EmbeddedProcess) -> Iterator[httpx.Client]:
    with service.client(token=None) as c:
        yield c


def article(n: int | str, **extra: Any) -> dict[str, Any]:
    return {"id": f"api-{n}", "body": f"Council members met on Tuesday to discuss item {n}.", **extra}


def dead_letters(client: httpx.Client, limit: int = 50) -> dict[str, Any]:
    r = client.get("/v1/dead-letters", params={"limit": limit})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_healthz(anonymous: httpx.Client) -> None:
    r = anonymous.get("/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


def test_one_article_is_accepted_then_analysed(anonymous: httpx.Client, admin: httpx.Client) -> None:
    r = anonymous.post("/v1/articles", json=article(1, title="A title"))
    assert (r.status_code, r.json()) == (202, {"accepted": 1})
    got = analysis_of(admin, "api-1", PROCESSED_WITHIN_S)
    assert got["id"] == "api-1"
    assert schema_errors("analysis", got) == []


def test_an_array_is_accepted_whole(anonymous: httpx.Client, admin: httpx.Client) -> None:
    r = anonymous.post("/v1/articles", json=[article(f"arr-{i}") for i in range(3)])
    assert (r.status_code, r.json()) == (202, {"accepted": 3})
    for i in range(3):
        assert analysis_of(admin, f"api-arr-{i}", PROCESSED_WITHIN_S)["id"] == f"api-arr-{i}"


def test_an_empty_array_accepts_nothing(anonymous: httpx.Client) -> None:
    r = anonymous.post("/v1/articles", json=[])
    assert (r.status_code, r.json()) == (202, {"accepted": 0})


def test_invalid_article_gets_422_with_schema_errors_and_a_dead_letter(
    anonymous: httpx.Client, admin: httpx.Client
) -> None:
    before = dead_letters(admin)["counts"].get("schema_invalid", 0)
    bad = {"id": "api-bad-1", "title": "no body here"}
    r = anonymous.post("/v1/articles", json=bad)
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["index"] == 0 and error["reason"] == "schema_invalid"
    assert {"path": "$", "message": "'body' is a required property"} in error["errors"]
    letters = dead_letters(admin)
    assert letters["counts"]["schema_invalid"] == before + 1
    newest = letters["recent"][0]
    assert schema_errors("dead-letter", newest) == []
    assert newest["source"] == {"transport": "http"}
    assert json.loads(base64.b64decode(newest["original"])) == bad


def test_a_mixed_array_queues_nothing_and_lists_each_invalid_item(
    anonymous: httpx.Client, admin: httpx.Client
) -> None:
    batch = [article("mixed-ok"), {"id": "mixed-bad-1"}, article("mixed-ok-2"), {"body": "no id"}]
    r = anonymous.post("/v1/articles", json=batch)
    assert r.status_code == 422
    assert r.json()["accepted"] == 0
    assert [e["index"] for e in r.json()["errors"]] == [1, 3]
    # The queue is processed in order: once a later article is analysed, the batch's would have been.
    assert anonymous.post("/v1/articles", json=article("after-mixed")).status_code == 202
    analysis_of(admin, "api-after-mixed", PROCESSED_WITHIN_S)
    assert admin.get("/v1/analyses/api-mixed-ok").status_code == 404


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"this is not json", "decode_error"),  # not JSON at all
        (b'{"id": "x", "body": ', "decode_error"),  # truncated JSON
        (b"\xff\xfe\xfa", "decode_error"),  # not UTF-8
        (b'"just a string"', "schema_invalid"),  # JSON, not an object
    ],
)
def test_unusable_bodies_get_422_and_a_dead_letter(
    anonymous: httpx.Client, admin: httpx.Client, body: bytes, reason: str
) -> None:
    r = anonymous.post("/v1/articles", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["reason"] == reason
    assert base64.b64decode(dead_letters(admin, 1)["recent"][0]["original"]) == body


def test_an_invalid_message_on_the_queue_is_dead_lettered_by_the_pipeline(
    service: EmbeddedProcess, admin: httpx.Client
) -> None:
    """Another producer (not the API) puts garbage on the log: the pipeline records where it sat."""
    producer = EmbeddedLog(service.data_dir / "newswatch.sqlite3").producer()
    producer.produce("articles", b"\x00garbage from elsewhere")
    producer.flush()

    def found() -> dict[str, Any] | None:
        return next(
            (d for d in dead_letters(admin)["recent"] if d["source"]["transport"] == "embedded"), None
        )

    letter = wait_for(found, PROCESSED_WITHIN_S, "the pipeline's dead letter")
    assert letter["reason"] == "decode_error"
    assert letter["source"]["topic"] == "articles" and letter["source"]["offset"] >= 0
    assert base64.b64decode(letter["original"]) == b"\x00garbage from elsewhere"


def test_admin_creates_tenant_keys_and_tenants_are_not_admins(
    service: EmbeddedProcess, admin: httpx.Client, anonymous: httpx.Client
) -> None:
    r = admin.post("/v1/api-keys", json={"tenant": "acme"})
    assert r.status_code == 201 and r.json()["tenant"] == "acme"
    with service.client(token=r.json()["key"]) as tenant:
        assert tenant.post("/v1/api-keys", json={"tenant": "other"}).status_code == 403
        assert tenant.get("/v1/dead-letters").status_code == 403
        assert tenant.get("/v1/analyses/nope").status_code == 404  # authenticated, just not there
    with service.client(token="nwk_made-up") as stranger:
        assert stranger.get("/v1/analyses/nope").status_code == 401
    assert anonymous.get("/v1/dead-letters").status_code == 401
    assert admin.post("/v1/api-keys", json={"tenant": "admin"}).status_code == 422  # reserved
    assert admin.post("/v1/api-keys", json={"tenant": ""}).status_code == 422


def test_the_openapi_document_describes_ingest(anonymous: httpx.Client) -> None:
    doc = anonymous.get("/openapi.json").json()
    post = doc["paths"]["/v1/articles"]["post"]
    assert "all or nothing" in post["description"]
    assert {"202", "422"} <= set(post["responses"])
    assert "/healthz" in doc["paths"] and "/v1/api-keys" in doc["paths"]
