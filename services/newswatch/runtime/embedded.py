"""`newswatch run`: the all-in-one process.

Main thread: uvicorn serving the API. Pipeline thread: `PipelineLoop` over the
ingest queue. In the embedded backend that is everything (SQLite log queue,
SQLite stores, in-process delivery); in the distributed backend the process
serves only the API and `newswatch worker` processes the Kafka topic.

SIGINT/SIGTERM: uvicorn stops accepting, finishes in-flight requests and
returns; then the pipeline thread finishes the message in hand, commits and
closes, and the services are closed.
"""

from __future__ import annotations

import fcntl
import logging
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TextIO

import uvicorn

from newswatch import compose
from newswatch.api.app import create_app
from newswatch.config import Backend, Settings
from newswatch.runtime.embedded_loop import PipelineLoop

log = logging.getLogger(__name__)
DRAIN_TIMEOUT_S = 60.0


def ensure_admin_token(settings: Settings, out: TextIO) -> Settings:
    """Settings with an admin token: the configured one, or a new one printed to `out`."""
    if settings.admin_token:
        return settings
    token = secrets.token_urlsafe(32)
    print(
        f"newswatch: NEWSWATCH_ADMIN_TOKEN is unset; this run's admin token is: {token}", file=out, flush=True
    )
    return settings.with_overrides(admin_token=token)


def serve(settings: Settings) -> int:
    """Serve until SIGINT/SIGTERM; 0 on a clean stop, 1 when the server or pipeline failed."""
    with ExitStack() as stack:
        if settings.backend is Backend.EMBEDDED:
            stack.enter_context(exclusive(settings.data_dir))
        settings = ensure_admin_token(settings, sys.stdout)
        services = compose.build(settings)
        stack.callback(services.close)
        return _run(services)


@contextmanager
def exclusive(data_dir: Path) -> Iterator[None]:
    """One embedded service per data directory: the log has a single consumer.

    An flock, so a process killed with SIGKILL releases it with its file descriptors.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "run.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"newswatch run: another process is serving {data_dir}") from None
        yield


def _run(services: compose.Services) -> int:
    settings = services.settings
    server = uvicorn.Server(uvicorn.Config(create_app(services), host=settings.host, port=settings.port))
    loop = None
    if settings.backend is Backend.EMBEDDED:
        loop = PipelineLoop(services, compose.pipeline(services), services.make_consumer())
    sup = Supervisor()
    sup.on_signals()
    # uvicorn installs no signal handlers off the main thread: the main thread owns them.
    http = sup.start("http", server.run)
    pipeline = sup.start("pipeline", loop.run) if loop is not None else None
    sup.wait()
    server.should_exit = True
    http.join(DRAIN_TIMEOUT_S)
    if loop is not None and pipeline is not None:
        loop.stop.set()  # after the API stopped: nothing new arrives while the pipeline drains
        pipeline.join(DRAIN_TIMEOUT_S)
    return 1 if sup.failed.is_set() else 0


class Supervisor:
    """Threads that stop the whole process when any of them ends, and the signals that stop it."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.failed = threading.Event()

    def on_signals(self) -> None:
        def handler(signum: int, frame: object) -> None:
            log.info("%s: shutting down", signal.Signals(signum).name)
            self.stop.set()

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)

    def wait(self) -> None:
        while not self.stop.wait(0.5):  # short waits keep the main thread responsive to signals
            pass

    def start(self, name: str, target: Callable[[], object]) -> threading.Thread:
        thread = threading.Thread(target=self._main, args=(name, target), name=name, daemon=True)
        thread.start()
        return thread

    def _main(self, name: str, target: Callable[[], object]) -> None:
        try:
            target()
        except SystemExit as exc:  # uvicorn exits this way when it cannot bind (it logged why)
            log.error("%s thread exited (%s)", name, exc.code)
            self.failed.set()
        except BaseException:
            log.exception("%s thread failed", name)
            self.failed.set()
        finally:
            if not self.stop.is_set():
                self.failed.set()  # it ended without being asked to
            self.stop.set()
