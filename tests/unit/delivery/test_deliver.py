"""The one delivery code path with in-memory stores, a scripted receiver and a fake clock."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from standardwebhooks.webhooks import Webhook

from newswatch.alerts.ports import AlertStatus
from newswatch.contracts.schemas import schema_errors
from newswatch.delivery.config import DeliveryConfig
from newswatch.delivery.deliver import Deliverer, Next
from newswatch.delivery.log import AttemptQuery
from newswatch.delivery.observe import Observer
from newswatch.delivery.policy.breaker import Policy
from newswatch.delivery.policy.classify import Result
from newswatch.delivery.policy.schedule import Schedule
from newswatch.delivery.policy.ssrf import SsrfPolicy, UnresolvableHost
from newswatch.observability.metrics import Metrics
from newswatch.store.delivery_log_sqlite import SQLiteDeliveryLog
from newswatch.store.sqlite import SQLiteDB
from tests.unit.delivery.fakes import (
    SECRET,
    Clock,
    MemoryAlerts,
    MemorySubscriptions,
    ScriptedSender,
    alert,
    subscription,
)

CONFIG = DeliveryConfig(
    schedule=Schedule((0, 1, 10), jitter=0), breaker=Policy(3, 60.0), ssrf=SsrfPolicy(allow_private=True)
)


def public_dns(host: str, port: int) -> list[str]:
    return {"hooks.example.com": ["93.184.216.34"], "127.0.0.1": ["127.0.0.1"]}.get(host, []) or _nx(host)


def _nx(host: str) -> list[str]:
    raise UnresolvableHost("unresolvable", host)


Build = Callable[..., tuple[Deliverer, ScriptedSender, MemoryAlerts, MemorySubscriptions]]


@pytest.fixture
def build(tmp_path: Path) -> Build:
    def make(
        results: list[Result], config: DeliveryConfig = CONFIG, **sub_kw: Any
    ) -> tuple[Deliverer, ScriptedSender, MemoryAlerts, MemorySubscriptions]:
        sender = ScriptedSender(results)
        alerts, subs = MemoryAlerts(alert()), MemorySubscriptions(subscription(**sub_kw))
        log = SQLiteDeliveryLog(SQLiteDB(tmp_path / "s.sqlite3"))
        registry = CollectorRegistry()
        d = Deliverer(
            alerts,
            subs,
            log,
            sender,
            config,
            Observer(Metrics(registry)),
            Clock(),
            random.Random(0),
            public_dns,
        )
        d.registry = registry  # type: ignore[attr-defined]
        return d, sender, alerts, subs

    return make


def outcomes(d: Deliverer) -> list[tuple[int, str, int | None]]:
    page = d.log.list_attempts(AttemptQuery(tenant=None))
    return [(a.attempt, a.outcome, a.status) for a in reversed(page.items)]


def run_all(d: Deliverer, alert_id: str = "alt_1") -> list[Next]:
    """Drive attempts the way a runner would, collecting what was scheduled."""
    scheduled, step = [], d.attempt(alert_id, 1)
    while step is not None:
        scheduled.append(step)
        d.clock.advance(step.delay)  # type: ignore[attr-defined]
        step = d.attempt(alert_id, step.attempt)
    return scheduled


def test_fails_twice_then_succeeds_with_one_stable_webhook_id(build: Build) -> None:
    d, sender, alerts, _ = build([Result(500), Result(503), Result(200)])
    assert run_all(d) == [Next(2, 1.0), Next(3, 10.0)]
    assert outcomes(d) == [(1, "retry", 500), (2, "retry", 503), (3, "delivered", 200)]
    assert {r[2]["webhook-id"] for r in sender.requests} == {"alt_1"}
    assert len({r[3] for r in sender.requests}) == 1  # the same body bytes every time
    assert alerts.items["alt_1"].status == "delivered"


def test_every_request_verifies_and_is_a_valid_alert(build: Build) -> None:
    d, sender, _, _ = build([Result(204)], url="https://hooks.example.com/in")
    d.attempt("alt_1", 1)
    url, address, headers, body = sender.requests[0]
    assert (url, address) == ("https://hooks.example.com/in", "93.184.216.34")
    assert schema_errors("alert", Webhook(SECRET).verify(body, headers)) == []


def test_410_disables_the_subscription(build: Build) -> None:
    d, _, alerts, subs = build([Result(410)])
    assert d.attempt("alt_1", 1) is None
    assert subs.items["sub_1"].enabled is False
    assert alerts.items["alt_1"].status == "disabled"
    assert outcomes(d) == [(1, "disabled", 410)]


def test_other_4xx_gives_up_and_keeps_the_alert_for_replay(build: Build) -> None:
    d, sender, alerts, subs = build([Result(422)])
    assert d.attempt("alt_1", 1) is None
    assert (len(sender.requests), alerts.items["alt_1"].status, subs.items["sub_1"].enabled) == (
        1,
        "exhausted",
        True,
    )


def test_retries_are_bounded_then_exhausted(build: Build) -> None:
    d, sender, alerts, _ = build([Result(None, "timeout", timed_out=True)])
    run_all(d)
    assert [o[1] for o in outcomes(d)] == ["retry", "retry", "exhausted"]
    assert alerts.items["alt_1"].status == "exhausted" and len(sender.requests) == 3


def test_ssrf_blocked_sends_nothing(build: Build) -> None:
    strict = DeliveryConfig(schedule=CONFIG.schedule)
    d, sender, alerts, _ = build([Result(200)], config=strict)
    assert d.attempt("alt_1", 1) is None
    assert sender.requests == [] and alerts.items["alt_1"].status == "exhausted"
    assert outcomes(d) == [(1, "blocked", None)]


def test_unresolvable_host_is_retried(build: Build) -> None:
    d, sender, _, _ = build([Result(200)], url="https://nx.example.com/")
    assert d.attempt("alt_1", 1) == Next(2, 1.0) and sender.requests == []


def test_disabled_subscription_is_skipped(build: Build) -> None:
    d, sender, _, _ = build([Result(200)], enabled=False)
    assert d.attempt("alt_1", 1) is None and sender.requests == []
    assert outcomes(d) == [(1, "skipped", None)]


def test_breaker_opens_and_fails_fast_within_the_schedule(build: Build) -> None:
    config = DeliveryConfig(
        schedule=Schedule((0,) * 10, jitter=0), breaker=Policy(2, 60.0), ssrf=SsrfPolicy(allow_private=True)
    )
    d, sender, _, _ = build([Result(500)], config=config)
    d.attempt("alt_1", 1)
    d.attempt("alt_1", 2)  # second failure opens the breaker
    # open: nothing is sent, the attempt is spent and the next waits out the cooldown
    assert d.attempt("alt_1", 3) == Next(4, 60.0) and len(sender.requests) == 2
    d.clock.advance(60)  # type: ignore[attr-defined]
    assert d.attempt("alt_1", 4) == Next(5, 0.0) and len(sender.requests) == 3  # the probe
    assert [o[1] for o in outcomes(d)] == ["retry", "retry", "circuit_open", "retry"]
    value = d.registry.get_sample_value("newswatch_delivery_circuit_opened_total")  # type: ignore[attr-defined]
    assert value == 2.0


def test_metrics_count_outcomes_and_status_classes(build: Build) -> None:
    d, _, _, _ = build([Result(500), Result(200)])
    run_all(d)
    r = d.registry  # type: ignore[attr-defined]
    sample = "newswatch_deliveries_total"
    assert r.get_sample_value(sample, {"outcome": "retry", "status_class": "5xx"}) == 1.0
    assert r.get_sample_value(sample, {"outcome": "delivered", "status_class": "2xx"}) == 1.0
    assert r.get_sample_value("newswatch_delivery_duration_seconds_count") == 2.0
    assert r.get_sample_value("newswatch_article_to_delivery_seconds_count", {"since": "published"}) == 1.0


def test_missing_alert_is_dropped(build: Build) -> None:
    d, sender, _, _ = build([Result(200)])
    assert d.attempt("nope", 1) is None and sender.requests == []


def test_an_alert_already_delivered_is_not_sent_again(build: Build) -> None:
    """A duplicate task (redelivered message, sweep, replayed batch) never reaches the receiver twice."""
    d, sender, alerts, _ = build([Result(200)])
    assert d.attempt("alt_1", 1) is None and len(sender.requests) == 1
    assert d.attempt("alt_1", 1) is None and len(sender.requests) == 1
    assert outcomes(d) == [(1, "delivered", 200)]
    alerts.set_status("alt_1", AlertStatus.PENDING)  # what a replay does before it enqueues
    d.attempt("alt_1", 1)
    assert len(sender.requests) == 2


def test_decide_writes_nothing_until_the_outcome_is_written(build: Build) -> None:
    d, _, alerts, _ = build([Result(503)])
    finished = d.decide("alt_1", 1)
    assert finished.next == Next(2, 1.0) and finished.status is not None and finished.record is not None
    assert outcomes(d) == [] and alerts.get("alt_1").status == "pending"  # type: ignore[union-attr]
    d.write(finished)
    assert outcomes(d) == [(1, "retry", 503)] and alerts.get("alt_1").status == "failed"  # type: ignore[union-attr]
