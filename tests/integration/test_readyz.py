"""GET /readyz over the real backends: ready when they answer, 503 naming the one that stopped."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from newswatch.api.app import create_app
from newswatch.compose import build
from newswatch.config import Settings
from tests.integration.embedded_process import free_port


def get_readyz(app: FastAPI) -> httpx.Response:
    # httpx's ASGI transport: starlette's TestClient warns (deprecated httpx) under filterwarnings=error.
    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
            return await c.get("/readyz")

    return asyncio.run(call())


def test_embedded_is_ready_when_its_file_answers(tmp_path: Path) -> None:
    services = build(Settings.from_env({"NEWSWATCH_DATA_DIR": str(tmp_path)}), CollectorRegistry())
    try:
        r = get_readyz(create_app(services))
    finally:
        services.close()
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "checks": {"store": "ok", "queue": "ok"}}


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis of this test's own, so the test can stop it."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # waiting for the server to listen, not for time to pass
    client.close()
    yield url, proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


@pytest.mark.kafka
def test_distributed_readiness_names_the_store_that_stopped(
    kafka_bootstrap: str, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, redis_proc = own_redis
    settings = Settings.from_env(
        {
            "NEWSWATCH_BACKEND": "distributed",
            "NEWSWATCH_REDIS_URL": url,
            "NEWSWATCH_KAFKA_BOOTSTRAP": kafka_bootstrap,
        }
    )
    services = build(settings, CollectorRegistry())
    try:
        app = create_app(services)
        ready = get_readyz(app)
        redis_proc.kill()
        redis_proc.wait()
        down = get_readyz(app)
    finally:
        services.close()
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"store": "ok", "queue": "ok"}
    assert down.status_code == 503
    assert down.headers["content-type"].startswith("application/problem+json")
    problem = down.json()
    assert problem["status"] == 503 and problem["title"] == "Service not ready"
    assert problem["failed"] == ["store"]
    assert problem["checks"]["queue"] == "ok"
    assert problem["detail"].startswith("store: ")
