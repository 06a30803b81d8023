"""The typed errors and their one mapping to HTTP problem details (api.problems.domain_problem)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from newswatch.api.problems import domain_problem, install
from newswatch.domain.errors import (
    AlreadyExists,
    InvalidMessage,
    NewswatchError,
    NotFound,
    QueueUnavailable,
    StoreUnavailable,
)


@pytest.mark.parametrize(
    ("error", "status", "kind", "retry_after"),
    [
        (AlreadyExists("subscription", "s1"), 409, "already-exists", None),  # a create named a taken id
        (NotFound("alert", "a1"), 404, "not-found", None),
        (InvalidMessage("schema_error", "bad", [{"path": "$", "message": "x"}]), 422, "schema-error", None),
        (QueueUnavailable("slow", retry_after=2.5), 503, "queue-unavailable", "3"),  # rounded up
        (StoreUnavailable("down", retry_after=0.1), 503, "store-unavailable", "1"),  # at least 1 s
        (NewswatchError("unmapped"), 500, "internal-error", None),  # no class of its own: no detail leaks
    ],
)
def test_each_error_has_one_status(
    error: NewswatchError, status: int, kind: str, retry_after: str | None
) -> None:
    body, headers = domain_problem(error)
    assert body["status"] == status
    assert body["type"].endswith("/" + kind)
    assert headers.get("Retry-After") == retry_after


def test_already_exists_names_the_taken_field() -> None:
    body, _ = domain_problem(AlreadyExists("subscription", "s1"))
    assert body["detail"] == "subscription s1 exists"
    assert body["errors"][0]["field"] == "body.id"


def test_invalid_message_keeps_its_reason_in_str() -> None:
    # the dead-letter records and logs read "reason: detail"
    exc = InvalidMessage("decode_error", "not JSON")
    assert str(exc) == "decode_error: not JSON" and exc.detail == "not JSON"


def test_a_stray_key_error_is_not_a_conflict() -> None:
    app = FastAPI()
    install(app)

    @app.get("/exists")
    def exists() -> None:
        raise AlreadyExists("subscription", "s1")

    @app.get("/bug")
    def bug() -> None:
        raise KeyError("s1")

    async def status(path: str) -> int:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get(path)).status_code

    assert asyncio.run(status("/exists")) == 409
    assert asyncio.run(status("/bug")) == 500
