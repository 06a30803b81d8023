"""The embedded runner: a pool of threads draining the SQLite due table in this process.

Same code path as Celery (`run_attempt`); durable because every pending
attempt, the first included, is a row in `delivery_due` before `enqueue`
returns. Each thread claims one due row, attempts it, then completes or
reschedules it; an idle thread sleeps until the next row is due or an
`enqueue` wakes it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from newswatch.delivery.deliver import Deliverer
from newswatch.delivery.dispatch import run_attempt
from newswatch.store.delivery_due_sqlite import SQLiteDueDeliveries

log = logging.getLogger(__name__)
MAX_IDLE = 1.0  # re-check the table at least this often (another process may have added rows)


class EmbeddedDelivery:
    """A DeliveryDispatcher; `start()` launches `config.concurrency` threads, `close()` stops them."""

    def __init__(
        self, deliverer: Deliverer, due: SQLiteDueDeliveries, clock: Callable[[], float] = time.time
    ) -> None:
        self._d = deliverer
        self._due = due
        self._clock = clock
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        # A claim outlives the longest attempt, so only a crashed process's rows are re-claimed.
        self._lease = deliverer.config.timeout * 4 + 30

    def start(self) -> EmbeddedDelivery:
        for n in range(self._d.config.concurrency):
            t = threading.Thread(target=self._loop, name=f"delivery-{n}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def enqueue(self, alert_id: str) -> None:
        self._due.add(alert_id, 1, self._clock() + self._d.config.schedule.delays[0])
        with self._wake:
            self._wake.notify()

    def close(self, timeout: float = 20.0) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()
        self._d.sender.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self._work_one()
            except Exception:  # the table itself failed: back off, keep the thread alive
                log.exception("delivery: embedded worker could not read the due table")
                worked = False
            if not worked:
                self._idle()

    def _work_one(self) -> bool:
        claim = self._due.claim(self._clock(), self._lease)
        if claim is None:
            return False
        step = run_attempt(self._d, claim.alert_id, claim.attempt)
        if step is None:
            self._due.complete(claim)
        else:
            self._due.reschedule(claim, step.attempt, self._clock() + step.delay)
            with self._wake:
                self._wake.notify()  # an idle thread may need to shorten its sleep
        return True

    def _idle(self) -> None:
        due = self._due.next_due()
        wait = MAX_IDLE if due is None else min(MAX_IDLE, max(0.005, due - self._clock()))
        with self._wake:
            if not self._stop.is_set() and wait > 0:
                self._wake.wait(wait)
