"""Exposing metrics: the scrape registry, the worker HTTP server, multiprocess mode.

Single process (API, embedded `newswatch run`, `newswatch worker`): the
registry handed to `Metrics` is the one scraped.

Celery prefork (`newswatch delivery`): set PROMETHEUS_MULTIPROC_DIR in the
environment *before* Python starts (compose does; wipe the directory first),
so prometheus_client stores every value in per-process mmap files there.
Then `scrape_registry()` returns a fresh registry holding only a
`MultiProcessCollector` that merges those files, and each pool child calls
`mark_process_dead(pid)` on exit (`install_celery_hooks`) so its live gauges
disappear. Custom collectors and Info metrics do not work in that mode, which
is why build info is a gauge and backlog figures are sampled into gauges.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import start_http_server as _start_http_server

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PORT_ENV = "NEWSWATCH_METRICS_PORT"


def multiprocess_dir(env: Mapping[str, str] = os.environ) -> str | None:
    """The multiprocess directory when multiprocess mode is on, else None."""
    return env.get(MULTIPROC_ENV) or None


def scrape_registry(registry: CollectorRegistry, env: Mapping[str, str] = os.environ) -> CollectorRegistry:
    """The registry a scrape should read.

    In multiprocess mode a new registry with only the MultiProcessCollector
    (reading every process's files, this one included); `registry` itself is
    not added, which would export each series twice.
    """
    path = multiprocess_dir(env)
    if path is None:
        return registry
    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged, path=path)
    return merged


def render(registry: CollectorRegistry, env: Mapping[str, str] = os.environ) -> tuple[bytes, str]:
    """Prometheus text exposition of `registry` and its content type."""
    return generate_latest(scrape_registry(registry, env)), CONTENT_TYPE_LATEST


def serve_metrics(port: int, registry: CollectorRegistry, addr: str = "0.0.0.0") -> Any:
    """Serve GET /metrics on `addr:port` from a daemon thread; returns the server.

    Raises OSError when the port is taken. Port 0 picks a free port
    (`server.server_port`). Call `server.shutdown()` to stop it.
    """
    server, _thread = _start_http_server(port, addr=addr, registry=scrape_registry(registry))
    return server


def reset_multiprocess_dir(env: Mapping[str, str] = os.environ) -> None:
    """Empty the multiprocess directory; call once in the parent before forking.

    Values from an earlier run would otherwise be merged into this one's.
    """
    path = multiprocess_dir(env)
    if path is None:
        return
    directory = Path(path)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)


def mark_process_dead(pid: int, env: Mapping[str, str] = os.environ) -> None:
    """Drop a finished child's live gauges (no-op outside multiprocess mode)."""
    path = multiprocess_dir(env)
    if path is not None:
        multiprocess.mark_process_dead(pid, path)


def install_celery_hooks() -> None:
    """Connect Celery's pool-child shutdown signal to `mark_process_dead`.

    Call once where the Celery app is built (E6's delivery app). Imports
    celery lazily so the rest of newswatch does not need it.
    """
    from celery.signals import worker_process_shutdown

    def _on_child_exit(pid: int | None = None, **_: Any) -> None:
        mark_process_dead(pid if pid is not None else os.getpid())

    worker_process_shutdown.connect(_on_child_exit, weak=False)


_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
    "info": ("_info",),
}


def series_names(registry: CollectorRegistry) -> frozenset[str]:
    """Every sample name `registry` can expose, including labelled metrics with no child yet.

    What a PromQL query may reference: counters as `<name>_total`, histograms
    as `_bucket`/`_sum`/`_count`, gauges by their own name.
    """
    return frozenset(
        family.name + suffix for family in registry.collect() for suffix in _SUFFIXES.get(family.type, ("",))
    )
