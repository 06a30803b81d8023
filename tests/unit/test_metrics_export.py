"""Exposition: the /metrics router, the worker server, multiprocess merging."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry

from newswatch.api.metrics import registry_of, router
from newswatch.observability.export import scrape_registry, serve_metrics
from newswatch.observability.metrics import Metrics, Stage


def _app(services: object | None) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    if services is not None:
        app.state.services = services
    return app


def _get(app: FastAPI, path: str) -> httpx.Response:
    # httpx's ASGI transport: starlette's TestClient warns (deprecated httpx) under filterwarnings=error.
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)

    return asyncio.run(call())


def test_router_serves_the_services_registry() -> None:
    m = Metrics(CollectorRegistry())
    m.article_consumed(7)
    response = _get(_app(SimpleNamespace(metrics=m)), "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "newswatch_articles_consumed_total 7.0" in response.text


@pytest.mark.parametrize(
    ("services", "expect_default"),
    [
        (None, True),  # app built without services
        (SimpleNamespace(), True),  # services without metrics
        (SimpleNamespace(metrics=None, registry="not a registry"), True),
        (SimpleNamespace(registry=CollectorRegistry()), False),  # a bare registry is accepted
    ],
)
def test_registry_fallbacks(services: object | None, expect_default: bool) -> None:
    assert (registry_of(services) is REGISTRY) is expect_default


def test_single_process_scrapes_the_given_registry() -> None:
    registry = CollectorRegistry()
    assert scrape_registry(registry, env={}) is registry


def test_serve_metrics_on_a_free_port() -> None:
    m = Metrics(CollectorRegistry())
    with m.time_stage(Stage.DECODE):
        pass
    server = serve_metrics(0, m.registry, addr="127.0.0.1")
    try:
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as resp:
            text = resp.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert 'newswatch_stage_processed_total{stage="decode"} 1.0' in text


_CHILD = """
import os, sys
from prometheus_client import CollectorRegistry
from newswatch.observability.metrics import Metrics
m = Metrics(CollectorRegistry())
m.article_consumed(int(sys.argv[1]))
m.queue_depth.labels("alerts").set(int(sys.argv[1]))
if sys.argv[2] == "dead":
    from newswatch.observability.export import mark_process_dead
    mark_process_dead(os.getpid())
"""

_PARENT = """
from prometheus_client import CollectorRegistry, generate_latest
from newswatch.observability.export import scrape_registry
print(generate_latest(scrape_registry(CollectorRegistry())).decode())
"""


def _python(code: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_multiprocess_mode_merges_forked_children(tmp_path: Path) -> None:
    # prometheus_client picks its value store at import, so each "worker" is its own interpreter.
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    _python(_CHILD, "3", "alive", env=env)
    _python(_CHILD, "4", "dead", env=env)
    text = _python(_PARENT, env=env)
    assert "newswatch_articles_consumed_total 7.0" in text  # counters sum over processes
    # the "dead" child's live gauge is gone; the other child's value remains
    assert text.count('newswatch_celery_queue_depth_messages{queue="alerts"}') == 1
    assert 'newswatch_celery_queue_depth_messages{queue="alerts"} 3.0' in text
