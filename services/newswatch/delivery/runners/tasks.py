"""The thin Celery task: take ids, run the shared attempt, record what follows durably.

Retries go to their own queue (`deliveries.retry`) so a backlog of failing
endpoints never delays first attempts. Short waits are Celery countdowns;
long ones are parked in the app's due-retry set (`due_redis.py`), because a
Redis broker redelivers any task unacknowledged past its visibility timeout.
No `autoretry_for`: the retry bound is the delivery schedule, nothing else.

At least once, sent once where it can be: the task is acknowledged late, so a killed worker's
task comes back; `RedisPending` drops copies of an attempt that is running or already done
(keyed by alert id, the webhook-id), and `Deliverer.decide` never re-sends a delivered alert.
Each outcome goes through the local `Journal` before Redis, so a Redis outage right after a POST
neither loses the "delivered" status nor the next attempt.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from celery.signals import worker_ready
from prometheus_client import CollectorRegistry

from newswatch.delivery.config import RETRY_QUEUE, TASK, DeliveryConfig
from newswatch.delivery.deliver import Deliverer, Finished, Next
from newswatch.delivery.log import DeliveryAttempt
from newswatch.observability.metrics import Metrics
from newswatch.store.delivery_due_redis import RedisDueDeliveries
from newswatch.store.delivery_journal import Entry, Journal, Row
from newswatch.store.delivery_pending_redis import RedisPending

log = logging.getLogger(__name__)

JOURNAL_LEASE_S = 60.0
FLUSH_EVERY_S = 1.0
STORE_DOWN_WAIT_S = 2.0  # a task that could not even reach Redis runs again after this


@dataclass
class WorkerRuntime:
    """What one worker process needs; built lazily after a prefork child starts."""

    deliverer: Deliverer
    due: RedisDueDeliveries
    pending: RedisPending
    journal: Journal
    send: Callable[[str, int, float | None], None]  # (alert id, attempt, countdown) -> a retry task
    clock: Callable[[], float] = time.time
    _flusher: threading.Thread | None = field(default=None, init=False)

    @property
    def config(self) -> DeliveryConfig:
        return self.deliverer.config

    def run(self, alert_id: str, attempt: int) -> None:
        """One task: guard, attempt, record. Never raises (an error leaves a journal row)."""
        token = uuid.uuid4().hex
        try:
            begun = self.pending.begin(alert_id, attempt, token, self.config.lock_lease)
        except Exception:
            log.exception("delivery: store unreachable before attempt %d of %s", attempt, alert_id)
            self.commit(Entry(alert_id, 0, following=attempt, due_at=self.clock() + STORE_DOWN_WAIT_S))
            return
        if begun.superseded:
            log.info("delivery: attempt %d of %s is a stale copy; dropped", attempt, alert_id)
            return
        if not begun.go:  # a copy of this attempt is running: look again once its lock is gone
            self.commit(Entry(alert_id, 0, following=attempt, due_at=self.clock() + begun.busy_s + 1))
            return
        try:
            self.commit(entry_of(self._decide(alert_id, attempt), attempt, self.clock()))
        finally:
            try:
                self.pending.end(alert_id, token)
            except Exception:  # the lock expires by itself
                log.warning("delivery: could not release the lock of %s", alert_id)

    def _decide(self, alert_id: str, attempt: int) -> Finished:
        """An unexpected error (a store down, a bug) spends the attempt like a failed POST."""
        try:
            return self.deliverer.decide(alert_id, attempt)
        except Exception:
            log.exception("delivery: attempt %d of %s failed inside newswatch", attempt, alert_id)
            delay = self.config.schedule.next_delay(attempt, self.deliverer.rng)
            return Finished(alert_id, None, None, None if delay is None else Next(attempt + 1, delay))

    def commit(self, entry: Entry) -> None:
        """Journal `entry`, then apply it; if Redis fails, the flusher applies it later."""
        row = self.journal.add(entry, self.clock(), JOURNAL_LEASE_S)
        try:
            self.apply(row)
        except Exception:
            log.warning("delivery: outcome of %s kept in the journal until Redis answers", entry.alert_id)
            self.journal.release(row)
        self.start_flusher()

    def apply(self, row: Row) -> None:
        """Apply the steps of `row` not done yet; raises on the first that fails."""
        e, step = row.entry, row.step
        if step < 1:
            if e.record is not None:
                self.deliverer.log.append(DeliveryAttempt.from_dict(e.record))
            self.journal.progress(row, step := 1)
        if step < 2:
            if e.status is not None:
                self.deliverer.alerts.set_status(e.alert_id, e.status)
            self.journal.progress(row, step := 2)
        moved = True
        if e.finished:
            stale_at = (e.due_at or 0.0) + self.config.stale_after
            moved = self.pending.advance(e.alert_id, e.finished, e.following, stale_at)
        if moved and e.following is not None:
            self.schedule(e.alert_id, e.following, e.due_at or self.clock())
        self.journal.done(row)

    def schedule(self, alert_id: str, attempt: int, due_at: float) -> None:
        delay = max(0.0, due_at - self.clock())
        if delay <= self.config.countdown_max:
            self.send(alert_id, attempt, delay or None)
        else:
            self.due.add(alert_id, attempt, due_at)

    def flush(self) -> int:
        """Apply journal rows left by failures (here or in a dead process); how many were applied."""
        applied = 0
        for row in self.journal.claim(self.clock(), JOURNAL_LEASE_S):
            try:
                self.apply(row)
            except Exception:
                self.journal.release(row)
                log.warning("delivery: %d journal rows wait for Redis", self.journal.count())
                break
            applied += 1
        return applied

    def start_flusher(self) -> None:
        if self._flusher is None:
            self._flusher = threading.Thread(target=self._flush_forever, name="delivery-journal", daemon=True)
            self._flusher.start()

    def _flush_forever(self) -> None:
        while True:
            try:
                if self.flush():
                    log.info("delivery: journal rows applied")
            except Exception:  # the journal file itself failed: keep trying
                log.exception("delivery: flushing the journal failed")
            time.sleep(FLUSH_EVERY_S)


def entry_of(finished: Finished, attempt: int, now: float) -> Entry:
    after = finished.next
    return Entry(
        alert_id=finished.alert_id,
        finished=attempt,
        record=None if finished.record is None else finished.record.to_dict(),
        status=None if finished.status is None else finished.status.value,
        following=None if after is None else after.attempt,
        due_at=None if after is None else now + after.delay,
    )


def register(
    app: Celery, env: Mapping[str, str], config: DeliveryConfig, metrics: Callable[[], Metrics | None]
) -> None:
    lock = threading.Lock()
    holder: list[WorkerRuntime] = []

    def send(alert_id: str, attempt: int, countdown: float | None) -> None:
        app.send_task(TASK, args=[alert_id, attempt], queue=RETRY_QUEUE, countdown=countdown)

    def runtime() -> WorkerRuntime:
        with lock:
            if not holder:
                from newswatch.delivery.runners.wiring import worker_runtime

                rt = worker_runtime(env, config, metrics() or Metrics(CollectorRegistry()), send)
                rt.start_flusher()  # rows a dead process left are applied without waiting for a task
                holder.append(rt)
            return holder[0]

    @app.task(name=TASK, ignore_result=True)
    def deliver(alert_id: str, attempt: int) -> None:
        runtime().run(alert_id, attempt)

    def on_ready(sender: Any = None, **_: Any) -> None:
        if getattr(sender, "app", None) is app:
            runtime()  # its flusher applies what a killed process left, before any task arrives

    worker_ready.connect(on_ready, weak=False)
