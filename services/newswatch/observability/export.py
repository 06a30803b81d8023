"""Exposing metrics: the scrape registry, the worker HTTP server, multiprocess mode.

Single process (API, embedded `newswatch run`, `newswatch worker`): the
registry handed to `Metrics` is the one scraped.

Celery prefork (`newswatch delivery`): set PROMETHEUS_MULTIPROC_DIR in the
environment *before* Python starts (compose does; wipe the directory first),
so prometheus_client stores every value in per-process mmap files there.
newswatch reads the variable once, into `Settings.metrics_multiproc_dir`, and
passes that directory to these functions. Then `scrape_registry()` returns a fresh registry holding only a
`MultiProcessCollector` that merges those files, and each pool child calls
`mark_process_dead(pid)` on exit (`install_celery_hooks`) so its live gauges
disappear. Custom collectors and Info metrics do not work in that mode, which
is why build info is a gauge and backlog figures are sampled into gauges.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import start_http_server as _start_http_server


def scrape_registry(registry: CollectorRegistry, multiproc_dir: Path | None = None) -> CollectorRegistry:
    """The registry a scrape should read.

    In multiprocess mode (`multiproc_dir` given, `Settings.metrics_multiproc_dir`) a new registry
    with only the MultiProcessCollector (reading every process's files, this one included);
    `registry` itself is not added, which would export each series twice.
    """
    if multiproc_dir is None:
        return registry
    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged, path=str(multiproc_dir))
    return merged


def render(registry: CollectorRegistry, multiproc_dir: Path | None = None) -> tuple[bytes, str]:
    """Prometheus text exposition of `registry` and its content type."""
    return generate_latest(scrape_registry(registry, multiproc_dir)), CONTENT_TYPE_LATEST


def serve_metrics(
    port: int, registry: CollectorRegistry, addr: str = "0.0.0.0", multiproc_dir: Path | None = None
) -> Any:
    """Serve GET /metrics on `addr:port` from a daemon thread; returns the server.

    Raises OSError when the port is taken. Port 0 picks a free port
    (`server.server_port`). Call `server.shutdown()` to stop it.
    """
    scraped = scrape_registry(registry, multiproc_dir)
    server, _thread = _start_http_server(port, addr=addr, registry=scraped)
    return server


def reset_multiprocess_dir(multiproc_dir: Path) -> None:
    """Empty the multiprocess directory; call once in the parent before forking.

    Values from an earlier run would otherwise be merged into this one's.
    """
    if multiproc_dir.exists():
        shutil.rmtree(multiproc_dir)
    multiproc_dir.mkdir(parents=True, exist_ok=True)


def mark_process_dead(pid: int, multiproc_dir: Path) -> None:
    """Drop a finished child's live gauges."""
    multiprocess.mark_process_dead(pid, str(multiproc_dir))


def install_celery_hooks(multiproc_dir: Path) -> None:
    """Connect Celery's pool-child shutdown signal to `mark_process_dead`.

    Call once where the prefork delivery worker is built. Imports celery
    lazily so the rest of newswatch does not need it.
    """
    from celery.signals import worker_process_shutdown

    def _on_child_exit(pid: int | None = None, **_: Any) -> None:
        mark_process_dead(pid if pid is not None else os.getpid(), multiproc_dir)

    worker_process_shutdown.connect(_on_child_exit, weak=False)
