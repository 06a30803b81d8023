"""Planner on the distributed stores (real Redis): two planners (two workers) share one story state."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from newswatch.alerts.handoff import hand_off
from newswatch.alerts.planner import PlannerConfig, StoryPlanner
from newswatch.alerts.ports import AlertStatus, Filters, Subscription, Webhook
from newswatch.contracts.schemas import schema_errors
from newswatch.domain.outcome import AlertDraft
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.alerts_redis_stories import RedisStories
from newswatch.store.redis import Keys, client_from_url
from tests.unit.alerts.factory import WIRE, analysis, article, event, own_report

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def stores(redis_url: str) -> Iterator[tuple[RedisSubscriptions, RedisStories, RedisAlerts]]:
    client = client_from_url(redis_url)
    keys = Keys(f"newswatch-test:{uuid.uuid4().hex[:12]}:")
    yield RedisSubscriptions(client, keys), RedisStories(client, keys), RedisAlerts(client, keys)
    for key in client.scan_iter(match=keys.prefix + "*"):
        client.delete(key)
    client.close()


def test_five_outlets_one_alert_then_one_update_across_two_workers(
    stores: tuple[RedisSubscriptions, RedisStories, RedisAlerts],
) -> None:
    subs, stories, alerts = stores
    f = Filters(event_types=("power_plant_strike",), regions=("UA",))
    subs.create(Subscription("sub_r", "acme", "n", f, Webhook("https://h.example"), "whsec_x"))
    workers = [StoryPlanner(subs, stories, PlannerConfig(refresh_interval=timedelta(0))) for _ in range(2)]
    planned: list[AlertDraft] = []
    for n in range(5):  # the same wire story from five outlets, alternating workers
        a = article(f"w{n}", WIRE, f"outlet-{n}")
        planned += workers[n % 2].plan(a, analysis(a.id, (event(),)), T0 + timedelta(minutes=n))
    toll = (event(), event("casualties", 0.8, killed=3))
    later = T0 + timedelta(minutes=30)
    planned += workers[1].plan(article("u1", own_report(5), "outlet-9"), analysis("u1", toll), later)
    planned += workers[0].plan(
        article("u2", own_report(6), "outlet-9"), analysis("u2", toll), later + timedelta(minutes=10)
    )
    assert [d.kind for d in planned] == ["story.detected", "story.updated"]
    assert all(schema_errors("alert", d.payload) == [] for d in planned)
    assert (
        planned[1].payload["data"]["publishers"] == 2
        and planned[1].payload["data"]["casualties"]["killed"] == 3
    )
    ids = hand_off(planned, workers[0].tenant_of, alerts, later)
    assert ids == [d.id for d in planned]
    assert hand_off(planned, workers[1].tenant_of, alerts, later) == ids  # still pending: enqueue again
    alerts.set_status(ids[0], AlertStatus.DELIVERED)
    assert hand_off(planned, workers[1].tenant_of, alerts, later) == ids[1:]
    assert {a.id for a in alerts.list_alerts(tenant="acme").items} == set(ids)
    assert alerts.list_alerts(tenant="other").items == ()


def test_two_planners_racing_on_one_story_lose_no_member_and_send_one_alert(
    stores: tuple[RedisSubscriptions, RedisStories, RedisAlerts],
) -> None:
    # Two workers commit batches about one story at the same time: a refused commit re-reads and
    # re-plans, so every article ends in the one story and the subscriber hears of it once.
    subs, stories, _ = stores
    f = Filters(event_types=("power_plant_strike",), regions=("UA",))
    subs.create(Subscription("sub_r", "acme", "n", f, Webhook("https://h.example"), "whsec_x"))
    workers = [StoryPlanner(subs, stories, PlannerConfig(refresh_interval=timedelta(0))) for _ in range(2)]
    start, planned = threading.Barrier(2), [[], []]  # type: ignore[var-annotated]

    def run(w: int) -> None:
        start.wait()
        for n in range(w, 40, 2):
            batch = [(article(f"r{n}-{i}", own_report(n + i), f"outlet-{n}-{i}"), None) for i in range(3)]
            pairs = [(a, analysis(a.id, (event(),))) for a, _ in batch]
            for drafts in workers[w].plan_batch(pairs, T0 + timedelta(seconds=n)):
                planned[w].extend(drafts)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    found = stories.get_many([c.story_id for c in stories.candidates(["power_plant_strike@UA-63"], [], T0)])
    assert len(found) == 1 and len(found[0].members) == 120
    assert [d.kind for d in planned[0] + planned[1]] == ["story.detected"]
    assert workers[0].conflicts + workers[1].conflicts > 0  # they did race
