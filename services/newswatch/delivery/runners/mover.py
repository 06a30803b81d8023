"""The due-retry mover: a thread beside every delivery worker that sends parked retries when due.

`install_mover(app, ...)` hooks it to Celery's worker start and stop, so it
runs whether the worker was started by `newswatch delivery` or by
`celery -A newswatch.delivery.runners.celery_app worker`; in a prefork worker it runs
in the parent only. Several workers each run one; the Redis lock in
`RedisDueDeliveries.move_due` lets one move at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

from newswatch.delivery.config import RETRY_QUEUE, TASK
from newswatch.store.delivery_due_redis import RedisDueDeliveries

log = logging.getLogger(__name__)


class DueMover:
    """Also runs the sweeper (`sweep`, every `sweep_every` seconds) when given one."""

    def __init__(
        self,
        due: RedisDueDeliveries,
        app: Celery,
        interval: float,
        clock: Callable[[], float] = time.time,
        sweep: Callable[[], int] | None = None,
        sweep_every: float = 10.0,
    ) -> None:
        self._due, self._app, self._interval, self._clock = due, app, interval, clock
        self._sweep, self._sweep_every, self._swept = sweep, sweep_every, float("-inf")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delivery-mover", daemon=True)

    def start(self) -> DueMover:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def send(self, alert_id: str, attempt: int) -> None:
        self._app.send_task(TASK, args=[alert_id, attempt], queue=RETRY_QUEUE)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                moved = self._due.move_due(self._clock(), self.send)
            except Exception:  # Redis away for a moment: try again next tick
                log.exception("delivery: moving due retries failed")
                continue
            if moved:
                log.info("delivery: moved %d due retries to %s", moved, RETRY_QUEUE)
            self._maybe_sweep()

    def _maybe_sweep(self) -> None:
        if self._sweep is None or time.monotonic() - self._swept < self._sweep_every:
            return
        self._swept = time.monotonic()
        try:
            self._sweep()
        except Exception:
            log.exception("delivery: sweeping open deliveries failed")


# Celery signals are process-wide; these map each delivery app to how to build its mover.
_factories: dict[int, Callable[[], DueMover]] = {}
_running: dict[int, DueMover] = {}
_hooked = threading.Lock()


def install_mover(app: Celery, make: Callable[[], DueMover]) -> None:
    """Start `make()` when a worker of `app` is ready; stop it at worker shutdown."""
    with _hooked:
        if not _factories:
            worker_ready.connect(_on_ready, weak=False)
            worker_shutdown.connect(_on_shutdown, weak=False)
        _factories[id(app)] = make


def _on_ready(sender: Any = None, **_: Any) -> None:
    app = getattr(sender, "app", None)
    make = _factories.get(id(app))
    if make is not None and id(app) not in _running:
        _running[id(app)] = make().start()
        log.info("delivery: due-retry mover started")


def _on_shutdown(sender: Any = None, **_: Any) -> None:
    mover = _running.pop(id(getattr(sender, "app", None)), None)
    if mover is not None:
        mover.stop()
