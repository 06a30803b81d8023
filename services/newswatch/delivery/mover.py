"""The due-retry mover: a thread that sends parked retries to the retry queue when due."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from celery import Celery

from newswatch.delivery.config import RETRY_QUEUE, TASK
from newswatch.delivery.due_redis import RedisDueDeliveries

log = logging.getLogger(__name__)


class DueMover:
    """Runs in every `newswatch delivery` process; the Redis lock lets one move at a time."""

    def __init__(
        self,
        due: RedisDueDeliveries,
        app: Celery,
        interval: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._due, self._app, self._interval, self._clock = due, app, interval, clock
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
