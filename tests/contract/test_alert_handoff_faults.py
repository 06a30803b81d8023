"""A crash between planning and hand-off loses no alert and sends none twice, on SQLite and real Redis.

The worker's alert steps (`plan_alerts`: one planner batch that commits stories, notices and
alerts; then `SinkAlertHandOff` over compose's wiring: enqueue) are driven as the worker drives
them; the crash is the store's commit or the enqueue raising, and the replay is the same batch
again, as after a redelivery.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from newswatch.alerts.payload import alert_id
from newswatch.alerts.ports import Changes, Filters, Subscription, Webhook
from newswatch.alerts.stories import story_id
from newswatch.compose import alerting
from newswatch.config import Settings
from newswatch.observability.metrics import Metrics
from newswatch.pipeline import Pipeline
from newswatch.runtime.io_errors import is_io_error
from newswatch.runtime.worker_handoff import SinkAlertHandOff
from newswatch.runtime.worker_records import Analysed, BatchPlan, WorkerTopics, plan_alerts
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.alerts_redis_stories import RedisStories
from newswatch.store.alerts_sqlite import SQLiteAlerts, SQLiteSubscriptions
from newswatch.store.alerts_sqlite_stories import SQLiteStories
from newswatch.transport.base import Envelope, Position
from tests.contract.conftest import StoreBackend
from tests.unit.alerts.factory import WIRE, analysis, article, event

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Crash(ConnectionError):
    """The store or the broker goes away here (an I/O failure: the worker retries the batch)."""


class Dispatcher:
    def __init__(self, failures: int = 0) -> None:
        self.enqueued: list[str] = []
        self.failures = failures

    def enqueue(self, alert_id: str) -> None:
        if self.failures:
            self.failures -= 1
            raise Crash("died before the enqueue")
        self.enqueued.append(alert_id)

    def close(self) -> None:
        pass


def crashing(cls: type) -> type:
    """The stories store whose first commit raises before anything is written."""

    class CrashingStories(cls):
        crashes = 1

        def commit(self, changes: Changes) -> bool:
            if self.crashes:
                self.crashes -= 1
                raise Crash("died before the commit")
            return bool(super().commit(changes))

    return CrashingStories


@pytest.fixture
def stores(store_backend: StoreBackend) -> Callable[[bool], tuple[Any, Any, Any]]:
    """Factory: (subscriptions, alerts, stories); stories crash on their first commit when asked."""

    def make(crash: bool) -> tuple[Any, Any, Any]:
        sqlite_stories, redis_stories = (
            (crashing(SQLiteStories), crashing(RedisStories)) if crash else (SQLiteStories, RedisStories)
        )
        return (
            store_backend.open(SQLiteSubscriptions, RedisSubscriptions),
            store_backend.open(SQLiteAlerts, RedisAlerts),
            store_backend.open(sqlite_stories, redis_stories),
        )

    return make


class World:
    """The worker's alert steps for one batch: plan_alerts (one planner batch), then the hand-off."""

    def __init__(self, stores: tuple[Any, Any, Any], dispatcher: Dispatcher) -> None:
        self.subs, self.alerts, self.stories = stores
        self.now = T0
        self.dispatcher = dispatcher
        # the alerts half of compose's Services (planner, sink, held-alert flush) over these stores
        self.services = alerting(
            Settings(),
            Metrics(CollectorRegistry()),
            self.subs,
            self.alerts,
            self.stories,
            dispatcher,
            None,  # type: ignore[arg-type]  # no delivery log: nothing is delivered here
            clock=lambda: self.now,
        )
        f = Filters(event_types=("power_plant_strike",), regions=("UA",))
        self.subs.create(Subscription("sub_1", "acme", "n", f, Webhook("https://h.example"), "whsec_x"))
        self.pipeline = Pipeline(None, self.services.planner)  # type: ignore[arg-type]  # analysed already

    def hand_off(self) -> list[str]:
        """The batch's alert ids, after the planned alerts were handed to delivery."""
        plan = BatchPlan()
        for n in range(3):  # the same wire story from three outlets
            a = article(f"w{n}", WIRE, f"outlet-{n}")
            env = Envelope(b"{}", Position("articles", 0, n))
            plan.unplanned.append(Analysed(env, a, analysis(a.id, (event(),)), b"{}"))
        plan_alerts(self.pipeline, plan, WorkerTopics(), self.now, is_io_error)
        assert plan.invalid == []
        SinkAlertHandOff(self.services.alert_sink).hand_off(plan.outcomes)
        return [d.id for o in plan.outcomes for d in o.alerts]

    def stored(self) -> list[str]:
        return [a.id for a in self.alerts.list_alerts(tenant="acme").items]


EXPECTED = alert_id("sub_1", story_id("w0"), 0)


def test_a_crash_before_the_commit_leaves_nothing_and_the_replay_stores_the_alert_once(
    stores: Callable[[bool], tuple[Any, Any, Any]],
) -> None:
    w = World(stores(True), Dispatcher())
    with pytest.raises(Crash):
        w.hand_off()
    assert w.stored() == [] and w.dispatcher.enqueued == [] and w.stories.held() == []
    w.now = T0 + timedelta(seconds=5)  # the batch comes back, a little later
    assert w.hand_off() == [EXPECTED]
    assert w.stored() == [EXPECTED] and w.dispatcher.enqueued == [EXPECTED]
    assert w.hand_off() == []  # once more: nothing new
    assert w.stored() == [EXPECTED] and w.dispatcher.enqueued == [EXPECTED]
    assert w.stories.outbox(T0 + timedelta(days=1)) == []


def test_a_crash_after_the_commit_is_caught_up_from_the_outbox_under_the_same_id(
    stores: Callable[[bool], tuple[Any, Any, Any]],
) -> None:
    w = World(stores(False), Dispatcher(failures=1))
    with pytest.raises(Crash):
        w.hand_off()
    assert w.stored() == [EXPECTED] and w.dispatcher.enqueued == []
    assert w.hand_off() == []  # the replay: the subscriber was told already
    w.services.flush_held(T0 + timedelta(seconds=10))  # inside the grace: its writer may be alive
    assert w.dispatcher.enqueued == []
    w.services.flush_held(T0 + timedelta(seconds=31))
    assert w.dispatcher.enqueued == [EXPECTED] and w.stored() == [EXPECTED]
    w.services.flush_held(T0 + timedelta(seconds=62))
    assert w.dispatcher.enqueued == [EXPECTED]  # enqueued once
