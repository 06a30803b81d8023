"""The planner end to end on the embedded stores: one detected per story, updates only on material change."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newswatch.alerts.payload import alert_id
from newswatch.alerts.planner import PlannerConfig, StoryPlanner
from newswatch.alerts.ports import Filters, Subscription, TopicFilter, Webhook
from newswatch.contracts.schemas import schema_errors
from newswatch.store.alerts_sqlite import SQLiteSubscriptions
from newswatch.store.alerts_sqlite_stories import SQLiteStories
from newswatch.store.sqlite import SQLiteDB
from tests.unit.alerts.factory import WIRE, analysis, article, event, own_report

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
FILTERS = Filters(event_types=("power_plant_strike",), regions=("UA",))


class World:
    def __init__(self, path: Path) -> None:
        self.db = SQLiteDB(path / "s.sqlite3")
        self.subs, self.stories = SQLiteSubscriptions(self.db), SQLiteStories(self.db)
        self.planner = StoryPlanner(self.subs, self.stories, PlannerConfig(refresh_interval=timedelta(0)))

    def sub(self, n: int = 1, filters: Filters = FILTERS, **kw: object) -> Subscription:
        s = Subscription(f"sub_{n}", "acme", "n", filters, Webhook("https://h.example"), "whsec_x", **kw)  # type: ignore[arg-type]
        return self.subs.create(s)

    def feed(self, art_id: str, body: str, source: str, now: datetime, *events: object) -> list:
        evs = events or (event(),)
        return list(self.planner.plan(article(art_id, body, source), analysis(art_id, evs), now))  # type: ignore[arg-type]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.db.close()


def test_same_wire_story_from_five_outlets_gives_one_alert(world: World) -> None:
    world.sub()
    drafts = [d for n in range(5) for d in world.feed(f"w{n}", WIRE, f"outlet-{n}", T0 + n * MIN)]
    assert [d.kind for d in drafts] == ["story.detected"]
    assert drafts[0].payload["data"]["publishers"] == 1
    assert schema_errors("alert", drafts[0].payload) == []


def test_a_material_update_gives_exactly_one_update(world: World) -> None:
    world.sub()
    first = world.feed("a", WIRE, "one", T0)
    later = T0 + 10 * MIN  # past the default repeat_interval (5 min)
    toll = (event(), event("casualties", 0.8, killed=4))
    update = world.feed("b", own_report(1), "two", later, *toll)
    again = world.feed("c", own_report(2), "one", later + 10 * MIN, *toll)  # same facts, same outlet
    assert [d.kind for d in first + update + again] == ["story.detected", "story.updated"]
    data = update[0].payload["data"]
    assert data["changes"] == ["publishers", "casualties", "event_types"] and data["revision"] == 1
    assert update[0].id == alert_id("sub_1", first[0].payload["data"]["story_id"], 1)
    assert schema_errors("alert", update[0].payload) == []


def test_redelivered_article_plans_nothing_new(world: World) -> None:
    world.sub()
    assert len(world.feed("a", WIRE, "one", T0)) == 1
    assert world.feed("a", WIRE, "one", T0 + MIN) == []


def test_group_wait_holds_the_first_alert_until_flush(world: World) -> None:
    world.sub(group_wait=60)
    assert world.feed("a", WIRE, "one", T0) == []
    assert world.feed("b", own_report(3), "two", T0 + 30 * timedelta(seconds=1)) == []
    assert world.planner.flush(T0 + 59 * timedelta(seconds=1)) == ()
    (due,) = world.planner.flush(T0 + 61 * timedelta(seconds=1))
    assert due.kind == "story.detected" and due.payload["data"]["publishers"] == 2
    assert world.planner.flush(T0 + 2 * MIN) == ()


def test_min_publishers_waits_for_independent_outlets_not_copies(world: World) -> None:
    world.sub(filters=replace(FILTERS, min_publishers=2))
    assert world.feed("a", WIRE, "one", T0) == []
    assert world.feed("b", WIRE, "two", T0 + MIN) == []  # a wire copy: still one publisher
    (d,) = world.feed("c", own_report(4), "three", T0 + 2 * MIN)
    assert d.kind == "story.detected" and d.payload["data"]["publishers"] == 2


def test_non_matching_and_disabled_subscriptions_get_nothing(world: World) -> None:
    world.sub(1, filters=Filters(regions=("PL",)))
    world.sub(2, enabled=False)
    assert world.feed("a", WIRE, "one", T0) == []


def test_events_at_different_places_are_different_stories(world: World) -> None:
    world.sub()
    a = world.feed("a", own_report(0), "one", T0, event(subdivision="UA-63"))
    b = world.feed("b", own_report(1), "two", T0 + MIN, event(subdivision="UA-65"))
    assert len(a) == len(b) == 1 and a[0].payload["data"]["story_id"] != b[0].payload["data"]["story_id"]


def test_a_story_closes_after_its_window(world: World) -> None:
    world.sub()
    first = world.feed("a", own_report(0), "one", T0)
    late = world.feed("b", own_report(1), "two", T0 + timedelta(hours=13))
    assert first[0].payload["data"]["story_id"] != late[0].payload["data"]["story_id"]


PLACES = ("UA-63", "UA-65", "UA-14")


@settings(max_examples=15, deadline=None)
@given(st.permutations(list(range(6))))
def test_grouping_ignores_arrival_order(order: list[int]) -> None:
    # Two articles about each of three events (different oblasts); whatever the order, the same pairs.
    with tempfile.TemporaryDirectory() as tmp:
        w = World(Path(tmp))
        for step, i in enumerate(order):
            art = article(f"x{i}", own_report(i), f"outlet-{i}")
            w.planner.plan(art, analysis(f"x{i}", (event(subdivision=PLACES[i % 3]),)), T0 + step * MIN)
        stories = {
            m.article_id: s
            for s in w.stories.get_many(
                [
                    c.story_id
                    for c in w.stories.candidates([f"power_plant_strike@{p}" for p in PLACES], [], T0)
                ]
            )
            for m in s.members
        }
        w.db.close()
    groups = {frozenset(m.article_id for m in s.members) for s in stories.values()}
    assert groups == {frozenset({"x0", "x3"}), frozenset({"x1", "x4"}), frozenset({"x2", "x5"})}


def test_flush_prunes_closed_stories_at_most_hourly(world: World) -> None:
    world.sub()
    (d,) = world.feed("a", WIRE, "one", T0)
    story_id = d.payload["data"]["story_id"]
    world.planner.flush(T0 + timedelta(minutes=1))  # first flush prunes (nothing is old yet)
    assert world.stories.get(story_id) is not None
    world.planner.flush(T0 + timedelta(hours=13))  # past the 12 h window and an hour since the last prune
    assert world.stories.get(story_id) is None


def test_a_held_alert_of_a_deleted_subscription_is_dropped(world: World) -> None:
    world.sub(group_wait=60)
    assert world.feed("a", WIRE, "one", T0) == [] and len(world.stories.held()) == 1
    world.subs.delete("sub_1")
    assert world.planner.flush(T0 + 2 * MIN) == () and world.stories.held() == []


def test_background_mentions_alert_no_one(world: World) -> None:
    world.sub()
    background = event(confidence=0.3, background=True)
    assert world.feed("bg", WIRE, "outlet-1", T0, background) == []
    # The same article with the strike reported as news does alert.
    assert [d.kind for d in world.feed("news", WIRE, "outlet-2", T0 + MIN)] == ["story.detected"]


def test_a_topic_subscription_alerts_on_articles_without_events_grouped_into_stories(world: World) -> None:
    world.sub(filters=Filters(topics=(TopicFilter("politics", 0.5),), regions=("PL",)), repeat_interval=0)
    vote = {"politics": 0.9}
    plain = partial(analysis, events=(), regions=("PL", "PL-14"), topics=vote)
    first = world.planner.plan(article("e1", own_report(0), "one"), plain("e1"), T0)
    assert [d.kind for d in first] == ["story.detected"]
    # A second outlet on the same subject and place joins the story: an update, not a new story.
    (update,) = world.planner.plan(article("e2", own_report(1), "two"), plain("e2"), T0 + MIN)
    assert (
        update.kind == "story.updated"
        and update.payload["data"]["story_id"] == first[0].payload["data"]["story_id"]
    )
    assert update.payload["data"]["publishers"] == 2 and update.payload["data"]["event_types"] == []
    assert update.payload["data"]["matched"]["topics"] == [{"value": "politics", "score": 0.9}]
    assert schema_errors("alert", update.payload) == []
    # Another subject, or the same one elsewhere, stays silent for this subscription.
    assert (
        world.planner.plan(article("s1", own_report(2)), plain("s1", topics={"sport": 0.9}), T0 + MIN) == ()
    )
    assert world.planner.plan(article("u1", own_report(3)), plain("u1", regions=("UA",)), T0 + MIN) == ()


def test_a_region_only_subscription_alerts_on_articles_without_events_grouped_into_stories(
    world: World,
) -> None:
    world.sub(filters=Filters(regions=("PL-14",)), repeat_interval=0)
    plain = partial(analysis, events=(), regions=("PL", "PL-14"), topics={"politics": 0.9})
    (first,) = world.planner.plan(article("r1", own_report(0), "one"), plain("r1"), T0)
    assert first.kind == "story.detected" and first.payload["data"]["event_types"] == []
    assert [m["value"] for m in first.payload["data"]["matched"]["regions"]] == ["PL-14"]
    assert schema_errors("alert", first.payload) == []
    # Another outlet on the same subject in the same place joins that story.
    (update,) = world.planner.plan(article("r2", own_report(1), "two"), plain("r2"), T0 + MIN)
    assert update.kind == "story.updated"
    assert update.payload["data"]["story_id"] == first.payload["data"]["story_id"]
    # Elsewhere (the country alone, or another voivodeship) is not this subscription's place.
    assert world.planner.plan(article("r3", own_report(2)), plain("r3", regions=("PL",)), T0 + MIN) == ()
    assert (
        world.planner.plan(article("r4", own_report(3)), plain("r4", regions=("PL", "PL-02")), T0 + MIN) == ()
    )


def test_a_digest_subscriber_gets_one_digest_per_period_with_that_periods_stories(world: World) -> None:
    """The story alerts are decided as usual but wait (in_digest); the flush after the period's end
    turns them into one digest, stored once; an empty period sends nothing."""
    from newswatch.alerts.ports import AlertStatus, Delivery, DeliveryMode
    from newswatch.store.alerts_sqlite import SQLiteAlerts

    hour = timedelta(hours=1)
    world.sub(delivery=Delivery(DeliveryMode.DIGEST, 3600), repeat_interval=0)
    alerts = SQLiteAlerts(world.db)
    t = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)
    assert world.feed("a1", WIRE, "outlet-1", t) == []  # no immediate alert
    assert world.feed("b1", own_report(2), "outlet-2", t + 10 * MIN, event(killed=2)) == []
    waiting = alerts.list_alerts(tenant="acme").items
    assert waiting and {a.status for a in waiting} == {AlertStatus.IN_DIGEST}
    assert world.planner.flush(t + 50 * MIN) == ()  # the period 10:00-11:00 is still running
    assert world.stories.outbox(t + 2 * hour) == []  # nothing waits for delivery on its own

    (dig,) = world.planner.flush(datetime(2026, 11, 25, 11, 0, 1, tzinfo=UTC))
    data = dig.payload["data"]
    assert dig.kind == "digest" and schema_errors("alert", dig.payload) == []
    assert (
        data["period"]["start"] == "2026-11-25T10:00:00Z" and data["period"]["end"] == "2026-11-25T11:00:00Z"
    )
    assert {s["story_id"] for s in data["stories"]} == {a.story_id for a in waiting}
    assert data["alerts_total"] == len(waiting)
    assert world.stories.outbox(t + 2 * hour) == [dig.id]  # stored with its outbox entry
    stored = alerts.get(dig.id)
    assert stored is not None and stored.status == AlertStatus.PENDING
    assert (
        world.planner.flush(t + 2 * hour) == ()
    )  # sent once; and the empty period 11:00-12:00 sends nothing
    replayable = alerts.for_replay("sub_1", t - hour, only_failed=False)
    assert [a.id for a in replayable] == [dig.id]  # replay resends the digest, not its parts one by one


def test_two_planners_build_a_periods_digest_once(world: World) -> None:
    from newswatch.alerts.ports import Delivery, DeliveryMode

    world.sub(delivery=Delivery(DeliveryMode.DIGEST, 300))
    other = StoryPlanner(world.subs, world.stories, PlannerConfig(refresh_interval=timedelta(0)))
    assert world.feed("a1", WIRE, "outlet-1", T0 + timedelta(seconds=10)) == []
    later = T0 + timedelta(minutes=5, seconds=1)
    first, second = world.planner.flush(later), other.flush(later)
    assert len(first) == 1 and second == ()


def test_a_deleted_digest_subscriptions_waiting_alerts_are_dropped(world: World) -> None:
    from newswatch.alerts.ports import Delivery, DeliveryMode

    world.sub(delivery=Delivery(DeliveryMode.DIGEST, 300))
    assert world.feed("a1", WIRE, "outlet-1", T0) == []
    assert len(world.stories.digest_pending()) == 1
    world.subs.delete("sub_1")
    assert world.planner.flush(T0 + timedelta(minutes=10)) == ()
    assert world.stories.digest_pending() == []
