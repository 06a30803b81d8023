"""The sweeper: open deliveries whose task was lost are queued again.

A task can vanish between the moments that make delivery durable: a worker killed before
its journal row was written, a host lost with its journal, a broker that dropped a message.
Each open alert carries a deadline (`RedisPending`); past it, and still not in a final state,
the alert is sent again for the attempt it waits for. The task's own guards drop the copy if
the original turns up after all, and a delivered alert is never sent twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from newswatch.alerts.ports import AlertStatus, AlertStore
from newswatch.store.delivery_pending_redis import RedisPending

log = logging.getLogger(__name__)

FINAL = frozenset({AlertStatus.DELIVERED.value, AlertStatus.EXHAUSTED.value, AlertStatus.DISABLED.value})


def requeue(status: str | None) -> bool:
    """Whether an overdue open alert in `status` (None: the alert is gone) is sent again."""
    return status is not None and status not in FINAL


class Sweeper:
    def __init__(
        self,
        pending: RedisPending,
        alerts: AlertStore,
        send: Callable[[str, int], None],
        stale_after: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._pending, self._alerts, self._send = pending, alerts, send
        self._stale_after, self._clock = stale_after, clock

    def sweep(self) -> int:
        """Re-send every overdue open alert; close the ones already final. How many were re-sent.

        Several workers sweep; the lock (left to expire) makes one of them do it per period.
        """
        if not self._pending.exclusive("sweep", max(1, int(self._stale_after / 4))):
            return 0
        now, sent = self._clock(), 0
        for alert_id, attempt in self._pending.stale(now):
            alert = self._alerts.get(alert_id)
            if not requeue(None if alert is None else alert.status):
                self._pending.close(alert_id)
                continue
            self._pending.track(alert_id, attempt, now + self._stale_after)
            self._send(alert_id, attempt)
            sent += 1
        if sent:
            log.warning("delivery: %d open alerts had lost their task; queued again", sent)
        return sent
