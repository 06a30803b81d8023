"""The thin Celery task: take ids, run the shared attempt, decide where the next one waits.

Retries go to their own queue (`deliveries.retry`) so a backlog of failing
endpoints never delays first attempts. Short waits are Celery countdowns;
long ones are parked in the app's due-retry set (`due_redis.py`), because a
Redis broker redelivers any task unacknowledged past its visibility timeout.
No `autoretry_for`: the retry bound is the delivery schedule, nothing else.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from celery import Celery
from prometheus_client import CollectorRegistry

from newswatch.delivery.config import RETRY_QUEUE, TASK, DeliveryConfig
from newswatch.delivery.deliver import Deliverer, Next
from newswatch.delivery.dispatch import run_attempt
from newswatch.observability.metrics import Metrics
from newswatch.store.delivery_due_redis import RedisDueDeliveries

log = logging.getLogger(__name__)


@dataclass
class WorkerRuntime:
    """What one worker process needs; built lazily after a prefork child starts."""

    deliverer: Deliverer
    due: RedisDueDeliveries

    def schedule(self, app: Celery, alert_id: str, step: Next) -> None:
        if step.delay <= self.deliverer.config.countdown_max:
            app.send_task(TASK, args=[alert_id, step.attempt], queue=RETRY_QUEUE, countdown=step.delay)
        else:
            self.due.add(alert_id, step.attempt, time.time() + step.delay)


def register(
    app: Celery, env: Mapping[str, str], config: DeliveryConfig, metrics: Callable[[], Metrics | None]
) -> None:
    lock = threading.Lock()
    holder: list[WorkerRuntime] = []

    def runtime() -> WorkerRuntime:
        with lock:
            if not holder:
                from newswatch.delivery.runners.wiring import worker_runtime

                holder.append(worker_runtime(env, config, metrics() or Metrics(CollectorRegistry())))
            return holder[0]

    @app.task(name=TASK, ignore_result=True)
    def deliver(alert_id: str, attempt: int) -> None:
        rt = runtime()
        step = run_attempt(rt.deliverer, alert_id, attempt)
        if step is not None:
            rt.schedule(app, alert_id, step)
