"""A crash between planning and hand-off loses no alert and sends none twice, on SQLite and real Redis.

The runtime's hand-off (plan the batch, commit stories + notices + alerts, enqueue) is driven as
the worker drives it (`SinkAlertHandOff` over compose's wiring); the crash is a store write or an
enqueue raising, and the replay is the same batch handed off again, as after a redelivery.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from newswatch.alerts.payload import alert_id
from newswatch.alerts.ports import Changes, Filters, Subscription, Webhook
from newswatch.alerts.stories import story_id
from newswatch.compose import Services, wire_alerts
from newswatch.config import Settings
from newswatch.domain.outcome import Outcome
from newswatch.metrics import Metrics
from newswatch.runtime.worker_handoff import SinkAlertHandOff
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.alerts_redis_stories import RedisStories
from newswatch.store.alerts_sqlite import SQLiteAlerts, SQLiteSubscriptions
from newswatch.store.alerts_sqlite_stories import SQLiteStories
from newswatch.store.redis import Keys, client_from_url
from newswatch.store.sqlite import SQLiteDB
from tests.unit.alerts.factory import WIRE, analysis, article, event

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Crash(Exception):
    """The process dies here (as far as this hand-off is concerned)."""


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

    class CrashingStories(cls):  # type: ignore[misc, valid-type]
        crashes = 1

        def commit(self, changes: Changes) -> bool:
            if self.crashes:
                self.crashes -= 1
                raise Crash("died before the commit")
            return bool(super().commit(changes))

    return CrashingStories


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[bool], tuple[Any, Any, Any]]]:
    """Factory: (subscriptions, alerts, stories); stories crash on their first commit when asked."""
    if request.param == "sqlite":
        db = SQLiteDB(tmp_path / "s.sqlite3")
        yield lambda crash: (
            SQLiteSubscriptions(db),
            SQLiteAlerts(db),
            (crashing(SQLiteStories) if crash else SQLiteStories)(db),
        )
        db.close()
        return
    client = client_from_url(request.getfixturevalue("redis_url"))
    keys = Keys(f"newswatch-test:{uuid.uuid4().hex[:12]}:")
    yield lambda crash: (
        RedisSubscriptions(client, keys),
        RedisAlerts(client, keys),
        (crashing(RedisStories) if crash else RedisStories)(client, keys),
    )
    for key in client.scan_iter(match=keys.prefix + "*"):
        client.delete(key)
    client.close()


class World:
    def __init__(self, stores: tuple[Any, Any, Any], dispatcher: Dispatcher) -> None:
        self.subs, self.alerts, self.stories = stores
        self.now = T0
        self.services = Services(
            settings=Settings(),
            producer=None,  # type: ignore[arg-type]  # no ingest here
            ingest_lock=threading.Lock(),
            dead_letters=None,  # type: ignore[arg-type]
            analyses=None,  # type: ignore[arg-type]
            api_keys=None,  # type: ignore[arg-type]
            metrics=Metrics(CollectorRegistry()),
            clock=lambda: self.now,
        )
        self.dispatcher = dispatcher
        wire_alerts(self.services, self.subs, self.alerts, self.stories, dispatcher, None)  # type: ignore[arg-type]
        f = Filters(event_types=("power_plant_strike",), regions=("UA",))
        self.subs.create(Subscription("sub_1", "acme", "n", f, Webhook("https://h.example"), "whsec_x"))
        self.hand_off = SinkAlertHandOff(
            self.services.alert_sink, self.services.plan_alerts, self.services.clock
        )

    def batch(self) -> list[Outcome]:
        return [
            Outcome(article(f"w{n}", WIRE, f"outlet-{n}"), analysis(f"w{n}", (event(),))) for n in range(3)
        ]

    def stored(self) -> list[str]:
        return [a.id for a in self.alerts.list_alerts(tenant="acme").items]


EXPECTED = alert_id("sub_1", story_id("w0"), 0)


def test_a_crash_before_the_commit_leaves_nothing_and_the_replay_stores_the_alert_once(
    stores: Callable[[bool], tuple[Any, Any, Any]],
) -> None:
    w = World(stores(True), Dispatcher())
    with pytest.raises(Crash):
        w.hand_off.hand_off(w.batch())
    assert w.stored() == [] and w.dispatcher.enqueued == [] and w.stories.held() == []
    w.now = T0 + timedelta(seconds=5)  # the batch comes back, a little later
    planned = w.hand_off.hand_off(w.batch())
    assert [d.id for o in planned for d in o.alerts] == [EXPECTED]
    assert w.stored() == [EXPECTED] and w.dispatcher.enqueued == [EXPECTED]
    assert [d.id for o in w.hand_off.hand_off(w.batch()) for d in o.alerts] == []  # once more: nothing new
    assert w.stored() == [EXPECTED] and w.dispatcher.enqueued == [EXPECTED]
    assert w.stories.outbox(T0 + timedelta(days=1)) == []


def test_a_crash_after_the_commit_is_caught_up_from_the_outbox_under_the_same_id(
    stores: Callable[[bool], tuple[Any, Any, Any]],
) -> None:
    w = World(stores(False), Dispatcher(failures=1))
    with pytest.raises(Crash):
        w.hand_off.hand_off(w.batch())
    assert w.stored() == [EXPECTED] and w.dispatcher.enqueued == []
    assert w.hand_off.hand_off(w.batch()) == w.batch()  # the replay: the subscriber was told already
    w.services.flush_held(T0 + timedelta(seconds=10))  # inside the grace: its writer may be alive
    assert w.dispatcher.enqueued == []
    w.services.flush_held(T0 + timedelta(seconds=31))
    assert w.dispatcher.enqueued == [EXPECTED] and w.stored() == [EXPECTED]
    w.services.flush_held(T0 + timedelta(seconds=62))
    assert w.dispatcher.enqueued == [EXPECTED]  # enqueued once
