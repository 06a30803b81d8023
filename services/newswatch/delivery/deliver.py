"""The one delivery code path: one attempt of one alert, shared by every runner.

A runner (Celery task or embedded pool) calls `Deliverer.attempt(alert_id, n)`
and schedules what it returns: nothing more to do, or attempt `n'` after a
wait. Everything the attempt decides goes through the pure `classify` and
`next_step`; this module only does the reads, the POST and the writes.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from newswatch.alerts.ports import AlertRecord, AlertStatus, Subscription
from newswatch.delivery.breaker_book import BreakerBook, endpoint_of
from newswatch.delivery.config import DeliveryConfig
from newswatch.delivery.log import DeliveryAttempt, DeliveryLog, Outcome
from newswatch.delivery.observe import Observer
from newswatch.delivery.policy.classify import Result, Verdict, classify
from newswatch.delivery.policy.decide import Step, circuit_open_step, next_step
from newswatch.delivery.policy.signing import encode_body, signed_headers
from newswatch.delivery.policy.ssrf import Resolver, UnresolvableHost, UnsafeWebhookURL, check_url, resolve
from newswatch.delivery.sender import Sent
from newswatch.domain.clock import utcnow

log = logging.getLogger(__name__)


class AlertStatuses(Protocol):
    """The part of an AlertStore that delivery reads and writes."""

    def get(self, alert_id: str) -> AlertRecord | None: ...
    def set_status(self, alert_id: str, status: str) -> bool: ...


class SubscriptionSwitches(Protocol):
    """The part of a SubscriptionStore that delivery reads and writes (410 disables)."""

    def get(self, sub_id: str) -> Subscription | None: ...
    def set_enabled(self, sub_id: str, enabled: bool) -> bool: ...


class Sender(Protocol):
    def post(self, url: str, address: str, headers: dict[str, str], body: bytes) -> Sent: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Next:
    """Run attempt `attempt` of the same alert after `delay` seconds."""

    attempt: int
    delay: float


@dataclass(frozen=True, slots=True)
class Finished:
    """What one attempt decided, not yet written: the log record, the alert's status, what follows.

    `record`/`status` None: nothing to write (the alert is gone or was already delivered).
    """

    alert_id: str
    record: DeliveryAttempt | None
    status: AlertStatus | None
    next: Next | None


@dataclass
class Deliverer:
    """Thread-safe if its stores and sender are (all newswatch ones are)."""

    alerts: AlertStatuses
    subscriptions: SubscriptionSwitches
    log: DeliveryLog
    sender: Sender
    config: DeliveryConfig
    observer: Observer = field(default_factory=Observer)
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    resolver: Resolver = resolve
    breakers: BreakerBook = field(init=False)

    def __post_init__(self) -> None:
        self.breakers = BreakerBook(self.config.breaker, self.observer.circuit_opened)

    def attempt(self, alert_id: str, attempt: int) -> Next | None:
        """Make attempt `attempt` (from 1) and write its outcome; may block up to the HTTP timeout.

        Store errors propagate: the runner decides how to retry them.
        """
        finished = self.decide(alert_id, attempt)
        self.write(finished)
        return finished.next

    def decide(self, alert_id: str, attempt: int) -> Finished:
        """The attempt itself (reads, the POST, metrics) without writing its outcome.

        An alert already delivered is not sent again: a duplicate task (a redelivered Celery
        message, a swept or replayed batch) must not reach the receiver twice. Replays set the
        status back to pending before they enqueue.
        """
        alert = self.alerts.get(alert_id)
        if alert is None:
            log.warning("delivery: alert %s not found; dropped", alert_id)
            return Finished(alert_id, None, None, None)
        if alert.status == AlertStatus.DELIVERED.value:
            log.info("delivery: alert %s already delivered; attempt %d not sent", alert_id, attempt)
            return Finished(alert_id, None, None, None)
        sub = self.subscriptions.get(alert.subscription_id)
        if sub is None or not sub.enabled:
            return self._finish(
                alert,
                attempt,
                Step(Outcome.SKIPPED, AlertStatus.DISABLED),
                error="subscription deleted or disabled",
            )
        try:
            address = check_url(sub.webhook.url, self.config.ssrf, self.resolver)[0]
        except UnresolvableHost as exc:  # DNS trouble is transient: spend an attempt, retry later
            return self._conclude(alert, sub, attempt, Result(None, str(exc)), None)
        except UnsafeWebhookURL as exc:
            return self._finish(alert, attempt, Step(Outcome.BLOCKED, AlertStatus.EXHAUSTED), error=str(exc))
        return self._send(alert, sub, attempt, address)

    def write(self, finished: Finished) -> None:
        """Store an outcome: the attempt log first, then the status (whoever sees the new status
        also finds the attempt that set it in the log)."""
        if finished.record is not None:
            self.log.append(finished.record)
        if finished.status is not None:
            self.alerts.set_status(finished.alert_id, finished.status.value)

    def _send(self, alert: AlertRecord, sub: Subscription, attempt: int, address: str) -> Finished:
        endpoint, now = endpoint_of(sub.webhook.url), self.clock()
        wait = self.breakers.wait(endpoint, now.timestamp())
        if wait:
            step = circuit_open_step(attempt, wait, self.config.schedule, self.rng)
            return self._finish(alert, attempt, step, error="circuit open: endpoint failing, nothing sent")
        body = encode_body(alert.payload)
        headers = signed_headers(sub.signing_secrets(now), alert.id, body, now, sub.webhook.headers)
        sent = self.sender.post(sub.webhook.url, address, headers, body)
        verdict = classify(sent.result, self.clock()).verdict
        self.breakers.record(endpoint, verdict is not Verdict.RETRY, self.clock().timestamp())
        return self._conclude(alert, sub, attempt, sent.result, sent.latency)

    def _conclude(
        self, alert: AlertRecord, sub: Subscription, attempt: int, result: Result, latency: float | None
    ) -> Finished:
        step = next_step(classify(result, self.clock()), attempt, self.config.schedule, self.rng)
        if step.disable:
            self.subscriptions.set_enabled(sub.id, False)
            log.warning(
                "delivery: %s answered 410 Gone; subscription %s disabled",
                endpoint_of(sub.webhook.url),
                sub.id,
            )
        return self._finish(alert, attempt, step, result=result, latency=latency)

    def _finish(
        self,
        alert: AlertRecord,
        attempt: int,
        step: Step,
        *,
        result: Result | None = None,
        latency: float | None = None,
        error: str | None = None,
    ) -> Finished:
        """The outcome to write (attempt log record, alert status, next attempt); counts metrics."""
        now = self.clock()
        record = DeliveryAttempt(
            alert_id=alert.id,
            subscription_id=alert.subscription_id,
            tenant=alert.tenant,
            attempt=attempt,
            at=now,
            outcome=step.outcome.value,
            status=result.status if result else None,
            latency=latency,
            error=error or (result.error if result else None),
            next_at=None if step.delay is None else now + timedelta(seconds=step.delay),
        )
        self.observer.attempted(step, result, latency, alert, now)
        after = None if step.delay is None else Next(attempt + 1, step.delay)
        return Finished(alert.id, record, step.status, after)
