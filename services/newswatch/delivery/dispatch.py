"""How the runtime hands alerts to delivery (the edge between the alerts and delivery domains)."""

from __future__ import annotations

import logging
from typing import Protocol

from newswatch.delivery.deliver import Deliverer, Next

log = logging.getLogger(__name__)


class DeliveryDispatcher(Protocol):
    """`enqueue` is durable when it returns and never waits for the HTTP call.

    Attempt 1 of `alert_id` runs after the schedule's first wait (normally at
    once). Call it after `AlertStore.put`; replays call it again with the same
    id, which reaches the receiver with the same `webhook-id`.
    Implementations: `EmbeddedDelivery` (threads + SQLite), `CeleryDispatcher`.
    """

    def enqueue(self, alert_id: str) -> None: ...

    def close(self) -> None:
        """Stop local workers, if any (waits at most for attempts in flight)."""


def run_attempt(deliverer: Deliverer, alert_id: str, attempt: int) -> Next | None:
    """One attempt; an unexpected error (a store down, a bug) spends it like a failed POST.

    So a broken dependency still walks the bounded schedule and never loops.
    """
    try:
        return deliverer.attempt(alert_id, attempt)
    except Exception:
        log.exception("delivery: attempt %d of %s failed inside newswatch", attempt, alert_id)
        delay = deliverer.config.schedule.next_delay(attempt, deliverer.rng)
        return None if delay is None else Next(attempt + 1, delay)
