"""One contract for the alerts-domain stores (newswatch/alerts/ports.py), run on SQLite and real Redis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newswatch.alerts.ports import (
    AlertKind,
    AlertRecord,
    AlertStatus,
    Candidate,
    Changes,
    Filters,
    Member,
    Notice,
    Story,
    StoryWrite,
    Subscription,
    Webhook,
    micros,
)
from newswatch.domain.errors import AlreadyExists
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.alerts_redis_stories import RedisStories
from newswatch.store.alerts_sqlite import SQLiteAlerts, SQLiteSubscriptions
from newswatch.store.alerts_sqlite_stories import SQLiteStories
from tests.contract.conftest import StoreBackend

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PAIRS: dict[str, tuple[type, type]] = {
    "subs": (SQLiteSubscriptions, RedisSubscriptions),
    "alerts": (SQLiteAlerts, RedisAlerts),
    "stories": (SQLiteStories, RedisStories),
}


@pytest.fixture
def make(store_backend: StoreBackend) -> Callable[[str], Any]:
    """Factory: make("subs"|"alerts"|"stories"); two calls are two handles on the same data."""
    return lambda kind: store_backend.open(*PAIRS[kind])


def sub(n: int, tenant: str = "a", **kw: Any) -> Subscription:
    f = Filters(event_types=("strike",), regions=("UA",))
    return Subscription(
        f"sub_{n}", tenant, f"s{n}", f, Webhook("https://h.example/x", {"X": "1"}), "whsec_" + "A" * 32, **kw
    )


def alert(
    n: int,
    sub_id: str = "sub_1",
    tenant: str = "a",
    at: datetime = NOW,
    status: AlertStatus = AlertStatus.PENDING,
) -> AlertRecord:
    payload = {"version": "1", "type": "story.detected", "data": {"n": n}}
    return AlertRecord(f"alr_{n:04d}", sub_id, tenant, AlertKind.DETECTED, f"sty_{n}", 0, payload, status, at)


# ------------------------------------------------------------------ subscriptions


def test_created_subscription_reads_back_whole_with_its_secret(make: Callable[[str], Any]) -> None:
    s = make("subs").create(sub(1, created_at=NOW))
    assert make("subs").get("sub_1") == s
    assert s.secret.startswith("whsec_") and s.webhook.headers == {"X": "1"}


def test_create_sets_created_at_and_refuses_a_duplicate_id(make: Callable[[str], Any]) -> None:
    store = make("subs")
    assert store.create(sub(1)).created_at is not None
    with pytest.raises(AlreadyExists):
        store.create(sub(1))


def test_list_by_tenant_isolates_tenants_and_none_lists_all(make: Callable[[str], Any]) -> None:
    store = make("subs")
    for n, t in [(1, "a"), (2, "b"), (3, "a")]:
        store.create(sub(n, t, created_at=NOW + timedelta(seconds=n)))
    assert [s.id for s in store.list_by_tenant("a")] == ["sub_1", "sub_3"]
    assert [s.id for s in store.list_by_tenant("b")] == ["sub_2"]
    assert [s.id for s in store.list_by_tenant(None)] == ["sub_1", "sub_2", "sub_3"]
    assert store.list_by_tenant("c") == []


def test_update_replaces_filters_but_keeps_tenant_secret_and_created_at(make: Callable[[str], Any]) -> None:
    store = make("subs")
    old = store.create(sub(1, created_at=NOW))
    changed = replace(
        old, name="new", tenant="evil", secret="whsec_other", created_at=None, filters=Filters()
    )
    assert store.update(changed) == replace(old, name="new", filters=Filters())
    assert store.get("sub_1") == replace(old, name="new", filters=Filters())
    assert store.update(sub(9)) is None


def test_delete_and_set_enabled_change_what_all_active_returns(make: Callable[[str], Any]) -> None:
    store = make("subs")
    for n in (1, 2, 3):
        store.create(sub(n, created_at=NOW + timedelta(seconds=n)))
    v0 = store.version()
    assert store.set_enabled("sub_2", False) is True
    assert store.delete("sub_3") is True
    assert store.delete("sub_3") is False and store.set_enabled("sub_3", True) is False
    assert [s.id for s in store.all_active()] == ["sub_1"]
    assert store.get("sub_2").enabled is False and store.version() > v0
    assert [s.id for s in store.list_by_tenant("a")] == ["sub_1", "sub_2"]


# ------------------------------------------------------------------ alerts


def test_put_is_idempotent_by_id_and_keeps_the_first_status(make: Callable[[str], Any]) -> None:
    store = make("alerts")
    assert store.put(alert(1)) is True
    assert store.set_status("alr_0001", "delivered") is True
    assert store.put(alert(1)) is False
    assert make("alerts").get("alr_0001") == alert(1, status=AlertStatus.DELIVERED)


def test_get_and_set_status_of_a_missing_alert(make: Callable[[str], Any]) -> None:
    store = make("alerts")
    assert store.get("alr_nope") is None
    assert store.set_status("alr_nope", "failed") is False
    with pytest.raises(ValueError):
        store.set_status("alr_nope", "bogus")


def test_list_is_newest_first_and_isolated_by_tenant(make: Callable[[str], Any]) -> None:
    store = make("alerts")
    for n, t in [(1, "a"), (2, "b"), (3, "a")]:
        store.put(alert(n, tenant=t, at=NOW + timedelta(seconds=n)))
    assert [a.id for a in store.list_alerts(tenant="a").items] == ["alr_0003", "alr_0001"]
    assert [a.id for a in store.list_alerts(tenant=None).items] == ["alr_0003", "alr_0002", "alr_0001"]


def test_cursor_pages_cover_every_alert_once_even_with_equal_times(make: Callable[[str], Any]) -> None:
    store = make("alerts")
    for n in range(11):  # groups of three share a timestamp
        store.put(alert(n, at=NOW + timedelta(seconds=n // 3)))
    seen, cursor, pages = [], None, 0
    while True:
        page = store.list_alerts(tenant="a", cursor=cursor, limit=4)
        seen += [a.id for a in page.items]
        pages, cursor = pages + 1, page.cursor
        if cursor is None:
            break
    expected = sorted(
        (alert(n, at=NOW + timedelta(seconds=n // 3)) for n in range(11)), key=lambda a: (a.created_at, a.id)
    )
    assert seen == [a.id for a in reversed(expected)] and pages == 3


def test_list_filters_by_subscription_and_since(make: Callable[[str], Any]) -> None:
    store = make("alerts")
    store.put(alert(1, "sub_1", at=NOW))
    store.put(alert(2, "sub_2", at=NOW + timedelta(minutes=1)))
    store.put(alert(3, "sub_1", at=NOW + timedelta(minutes=2)))
    assert [a.id for a in store.list_alerts(tenant="a", subscription_id="sub_1").items] == [
        "alr_0003",
        "alr_0001",
    ]
    since = NOW + timedelta(minutes=1)
    assert [a.id for a in store.list_alerts(tenant=None, since=since).items] == ["alr_0003", "alr_0002"]


def test_for_replay_returns_oldest_first_and_only_failed_ones_when_asked(make: Callable[[str], Any]) -> None:
    store = make("alerts")
    statuses = [AlertStatus(s) for s in ("delivered", "failed", "exhausted", "pending", "disabled")]
    for n, st in enumerate(statuses):
        store.put(alert(n, at=NOW + timedelta(seconds=n), status=st))
    store.put(alert(9, "sub_2", at=NOW, status=AlertStatus.FAILED))
    assert [a.id for a in store.for_replay("sub_1", NOW, only_failed=False)] == [
        f"alr_000{n}" for n in range(5)
    ]
    failed = store.for_replay("sub_1", NOW + timedelta(seconds=2), only_failed=True)
    assert [a.id for a in failed] == ["alr_0002", "alr_0004"]


# ------------------------------------------------------------------ stories


def story(n: int, last: datetime, keys: tuple[str, ...] = ("strike@UA-63",)) -> Story:
    m = Member(
        f"art{n}",
        "src",
        "src",
        "t",
        None,
        None,
        (1, 2, 3),
        last,
        ({"type": "strike"},),
        {"conflict": 0.9},
        ("UA",),
    )
    return Story(f"sty_{n}", last - timedelta(hours=1), last, keys, (m,), {"publishers": 1})


def found(store: Any, keys: list[str], bands: list[str], since: datetime) -> list[str]:
    """Ids of the stories a lookup finds whose documents exist, as the planner reads them."""
    return [s.id for s in store.get_many([c.story_id for c in store.candidates(keys, bands, since)])]


def test_story_round_trips_and_is_found_by_key_or_band_inside_the_window(make: Callable[[str], Any]) -> None:
    store = make("stories")
    store.save(story(1, NOW), ["0:aa", "1:bb"])
    store.save(story(2, NOW - timedelta(hours=5)), ["0:aa"])
    assert make("stories").get("sty_1") == story(1, NOW)
    since = NOW - timedelta(hours=2)
    assert found(store, ["strike@UA-63", "x@y"], [], since) == ["sty_1"]
    assert found(store, [], ["0:aa"], NOW - timedelta(hours=6)) == ["sty_1", "sty_2"]
    assert found(store, [], ["9:zz"], since) == [] and found(store, [], [], since) == []
    assert store.get("sty_9") is None


def test_saving_a_story_again_refreshes_its_window(make: Callable[[str], Any]) -> None:
    store = make("stories")
    store.save(story(1, NOW - timedelta(hours=5)), ["0:aa"])
    store.save(replace(story(1, NOW), keys=("strike@UA-63", "casualties@UA-63")), [])
    since = NOW - timedelta(hours=1)
    assert found(store, ["casualties@UA-63"], [], since) == ["sty_1"]
    assert found(store, ["strike@UA-63"], [], since) == ["sty_1"]


def test_notices_round_trip_and_held_lists_only_held_ones(make: Callable[[str], Any]) -> None:
    store = make("stories")
    sent = Notice("sub_1", "sty_1", 0, NOW, NOW, {"publishers": 2})
    held = Notice("sub_2", "sty_1", -1, None, NOW, {}, held_since=NOW)
    store.save_notice(sent)
    store.save_notice(held)
    assert store.notice("sub_1", "sty_1") == sent and store.notice("sub_1", "sty_2") is None
    assert make("stories").notices_for("sty_1") == [sent, held]
    assert store.held() == [held]
    store.save_notice(replace(held, held_since=None, revision=0, sent_at=NOW))
    assert store.held() == []


def test_one_lookup_reads_keys_and_bands_and_says_which_came_by_text(make: Callable[[str], Any]) -> None:
    store = make("stories")
    store.save(story(1, NOW), ["0:aa"])
    store.save(story(2, NOW, keys=("protest@PL",)), ["1:bb"])
    store.save(story(3, NOW - timedelta(hours=5)), ["1:bb"])
    cands = store.candidates(["strike@UA-63"], ["1:bb", "2:cc"], NOW - timedelta(hours=1))
    assert [c.story_id for c in cands] == ["sty_1", "sty_2"]
    assert {c.story_id for c in cands if c.by_text} == {"sty_2"}
    assert store.get_many([c.story_id for c in cands]) == [story(1, NOW), story(2, NOW, keys=("protest@PL",))]


def test_candidates_count_shared_keys_carry_last_seen_and_mark_text_hits(make: Callable[[str], Any]) -> None:
    store = make("stories")
    two_keys = ("casualties@UA-63", "strike@UA-63")
    store.save(story(1, NOW - timedelta(minutes=5)), ["0:aa"])
    store.save(replace(story(1, NOW), keys=two_keys), [])  # refreshes every lookup of sty_1
    store.save(story(2, NOW, keys=("protest@PL",)), ["1:bb"])
    store.save(story(3, NOW - timedelta(hours=5)), ["1:bb"])
    found = store.candidates([*two_keys, "x@y"], ["0:aa", "1:bb"], NOW - timedelta(hours=1))
    assert found == [
        Candidate("sty_1", 2, micros(NOW), True),
        Candidate("sty_2", 0, micros(NOW), True),
    ]
    assert store.candidates(["strike@UA-63"], [], NOW) == [Candidate("sty_1", 1, micros(NOW), False)]
    assert store.candidates([], [], NOW) == []


def test_get_many_returns_existing_stories_in_the_order_asked(make: Callable[[str], Any]) -> None:
    store = make("stories")
    store.save(story(1, NOW), [])
    store.save(story(2, NOW), [])
    assert [s.id for s in store.get_many(["sty_2", "sty_9", "sty_1"])] == ["sty_2", "sty_1"]
    assert store.get_many([]) == [] and store.get_many(["sty_2"]) == [story(2, NOW)]


def write(
    story_id: str,
    expected: int,
    *members: Member,
    at: datetime = NOW,
    keys: tuple[str, ...] = ("strike@UA-63",),
) -> StoryWrite:
    lookups = tuple(f"k:{k}" for k in keys)
    return StoryWrite(
        story_id, expected, at, at, keys, lookups, list(members), {m.article_id: m.origin for m in members}
    )


def member(n: int, origin: str | None = None) -> Member:
    return replace(story(n, NOW).members[0], origin=origin or f"art{n}")


def test_commit_adds_members_one_by_one_and_bumps_the_version(make: Callable[[str], Any]) -> None:
    store = make("stories")
    assert store.commit(Changes({"sty_1": write("sty_1", 0, member(1))}))
    assert store.commit(Changes({"sty_1": write("sty_1", 1, member(2))}))
    state = make("stories").states(["sty_1", "sty_9"])
    assert list(state) == ["sty_1"] and state["sty_1"].version == 2
    assert [m.article_id for m in state["sty_1"].story.members] == ["art1", "art2"]
    # A text cluster merge rewrites the origin alone; the member itself is not written again.
    merge = write("sty_1", 2)
    merge.origins = {"art2": "art1"}
    assert store.commit(Changes({"sty_1": merge}))
    assert [m.origin for m in store.get("sty_1").members] == ["art1", "art1"]


def test_a_commit_refuses_a_stale_read_and_writes_none_of_it(make: Callable[[str], Any]) -> None:
    one, other = make("stories"), make("stories")
    assert one.commit(Changes({"sty_1": write("sty_1", 0, member(1))}))
    read_by_both = one.states(["sty_1"])["sty_1"].version
    assert one.commit(Changes({"sty_1": write("sty_1", read_by_both, member(2))}))
    notice = Notice("sub_1", "sty_1", 0, NOW, NOW)
    late = Changes({"sty_1": write("sty_1", read_by_both, member(3))}, alerts=[alert(1)])
    late.stories["sty_1"].notices = {"sub_1": notice}
    assert other.commit(late) is False  # planned on a story that has changed since
    assert [m.article_id for m in one.get("sty_1").members] == ["art1", "art2"]
    assert one.notice("sub_1", "sty_1") is None and make("alerts").get("alr_0001") is None
    assert one.outbox(NOW + timedelta(days=1)) == []


def test_a_commit_refuses_when_a_key_it_read_got_another_story(make: Callable[[str], Any]) -> None:
    one, other = make("stories"), make("stories")
    keys = ["strike@UA-63"]
    seen_by_both = one.snapshot(["k:strike@UA-63"], keys, NOW - timedelta(hours=1), 8)
    assert seen_by_both.hits == {} and seen_by_both.key_versions == {"strike@UA-63": 0}
    assert one.commit(Changes({"sty_1": write("sty_1", 0, member(1))}, dict(seen_by_both.key_versions)))
    # The other planner saw no story under the key and would open a second one: refused.
    assert not other.commit(Changes({"sty_2": write("sty_2", 0, member(2))}, dict(seen_by_both.key_versions)))
    again = other.snapshot(["k:strike@UA-63"], keys, NOW - timedelta(hours=1), 8)
    assert again.hits == {"k:strike@UA-63": (("sty_1", micros(NOW)),)} and list(again.states) == ["sty_1"]
    assert again.key_versions["strike@UA-63"] > 0


def test_snapshot_reads_only_the_newest_stories_of_each_lookup(make: Callable[[str], Any]) -> None:
    store = make("stories")
    for n in range(5):
        store.save(story(n, NOW - timedelta(minutes=n)), ["0:aa"])
    snap = store.snapshot(["k:strike@UA-63", "b:0:aa", "b:9:zz"], [], NOW - timedelta(minutes=3), 2)
    assert snap.hits["b:0:aa"] == (("sty_0", micros(NOW)), ("sty_1", micros(NOW - timedelta(minutes=1))))
    assert set(snap.hits) == {"k:strike@UA-63", "b:0:aa"} and sorted(snap.states) == ["sty_0", "sty_1"]


def test_committed_alerts_are_stored_once_and_wait_in_the_outbox_until_done(
    make: Callable[[str], Any],
) -> None:
    store, alerts = make("stories"), make("alerts")
    assert store.commit(Changes(alerts=[alert(1), alert(2, at=NOW + timedelta(seconds=1))]))
    alerts.set_status("alr_0001", "delivered")
    assert store.commit(Changes(alerts=[alert(1)]))  # a replay: the stored alert is kept as it is
    assert alerts.get("alr_0001").status == "delivered"
    assert [a.id for a in alerts.list_alerts(tenant="a").items] == ["alr_0002", "alr_0001"]
    assert store.outbox(NOW + timedelta(seconds=1)) == ["alr_0001"]
    assert store.outbox(NOW + timedelta(minutes=1)) == ["alr_0001", "alr_0002"]
    store.outbox_done(["alr_0001", "alr_0002"])
    assert store.outbox(NOW + timedelta(minutes=1)) == []


def test_digest_alerts_wait_on_the_pending_list_not_in_the_outbox(make: Callable[[str], Any]) -> None:
    store, alerts = make("stories"), make("alerts")
    waiting = [
        alert(n, at=NOW + timedelta(seconds=n), status=AlertStatus.IN_DIGEST, sub_id=f"sub:{n % 2}")
        for n in (3, 1, 2)
    ]
    assert store.commit(Changes(alerts=[*waiting, alert(9)]))
    assert store.outbox(NOW + timedelta(minutes=1)) == ["alr_0009"]
    assert [(p.subscription_id, p.alert_id, p.created_at) for p in store.digest_pending()] == [
        ("sub:1", "alr_0001", NOW + timedelta(seconds=1)),
        ("sub:0", "alr_0002", NOW + timedelta(seconds=2)),
        ("sub:1", "alr_0003", NOW + timedelta(seconds=3)),
    ]
    assert [a.id for a in store.alerts_by_id(["alr_0003", "alr_none", "alr_0001"])] == [
        "alr_0003",
        "alr_0001",
    ]
    assert alerts.for_replay("sub:1", NOW, only_failed=False) == []  # delivered inside a digest only

    digest = AlertRecord("dig_1", "sub:1", "a", AlertKind.DIGEST, "", 0, {"type": "digest"}, created_at=NOW)
    assert store.commit_digest(digest, ["alr_0001", "alr_0003"])
    assert [p.alert_id for p in store.digest_pending()] == ["alr_0002"]
    assert store.outbox(NOW + timedelta(minutes=1)) == ["alr_0009", "dig_1"]
    assert alerts.get("dig_1").status == AlertStatus.PENDING
    assert [a.id for a in alerts.for_replay("sub:1", NOW, only_failed=False)] == ["dig_1"]
    # Built again (another planner, a retry): nothing changes, even with other alerts named.
    assert not store.commit_digest(replace(digest, payload={"other": 1}), ["alr_0002"])
    assert [p.alert_id for p in store.digest_pending()] == ["alr_0002"]
    assert alerts.get("dig_1").payload == {"type": "digest"}
    store.drop_pending(["alr_0002"])
    assert store.digest_pending() == []


def test_prune_closes_stories_older_than_the_cut(make: Callable[[str], Any]) -> None:
    store = make("stories")
    store.save(story(1, NOW - timedelta(hours=30)), ["0:aa"])
    store.save(story(2, NOW), ["0:aa"])
    store.prune(NOW - timedelta(hours=24))
    found = store.candidates(["strike@UA-63"], ["0:aa"], NOW - timedelta(days=10))
    assert [(c.story_id, c.by_text) for c in found] == [("sty_2", True)]


# ------------------------------------------------------------------ stories API reads


def located_story(n: int, last: datetime, event: str, region: str, topic: str) -> Story:
    """A one-member story whose event is located in `region` (a subdivision or a country)."""
    country = region.split("-", 1)[0]
    loc = {"country": country, "subdivision": region if "-" in region else None}
    e = {
        "type": event,
        "confidence": 0.9,
        "location": loc,
        "evidence": {"article_id": f"art{n}", "sentence": "s"},
    }
    m = Member(
        f"art{n}",
        "src",
        "src",
        f"title {n}",
        f"https://n.example/{n}",
        "2026-11-25T10:00:00Z",
        (1,),
        last,
        (e,),
        {topic: 0.8},
        (),
    )
    return Story(f"sty_{n}", last - timedelta(hours=1), last, (f"{event}@{region}",), (m,))


def alerted(n: int, tenant: str, sub_id: str, at: datetime = NOW, revision: int = 0) -> AlertRecord:
    payload = {"version": "1", "type": "story.detected", "data": {"story_id": f"sty_{n}"}}
    return AlertRecord(
        f"alr_{n}_{sub_id}_{revision}",
        sub_id,
        tenant,
        AlertKind.DETECTED,
        f"sty_{n}",
        revision,
        payload,
        AlertStatus.PENDING,
        at,
    )


def seed_stories(make: Callable[[str], Any]) -> Any:
    stories, alerts = make("stories"), make("alerts")
    stories.save(located_story(1, NOW - timedelta(minutes=30), "strike", "UA-63", "conflict"), [])
    stories.save(located_story(2, NOW - timedelta(minutes=20), "flood", "PL", "weather"), [])
    stories.save(located_story(3, NOW - timedelta(minutes=10), "strike", "UA-30", "conflict"), [])
    stories.save(located_story(4, NOW, "strike", "UA-46", "conflict"), [])  # no alert: never listed
    alerts.put(alerted(1, "a", "sub_1"))
    alerts.put(alerted(1, "a", "sub_1", NOW + timedelta(seconds=5), revision=1))
    alerts.put(alerted(2, "b", "sub_2"))
    alerts.put(alerted(3, "a", "sub_1"))
    alerts.put(alerted(3, "b", "sub_2"))
    test = AlertRecord("alr_test", "sub_1", "a", AlertKind.TEST, "sty_4", 0, {}, AlertStatus.PENDING, NOW)
    alerts.put(test)  # a subscription test names no story a tenant was alerted on
    return stories


@pytest.mark.parametrize(
    ("tenant", "query", "expected"),
    [
        ("a", {}, ["sty_3", "sty_1"]),
        ("b", {}, ["sty_3", "sty_2"]),
        (None, {}, ["sty_3", "sty_2", "sty_1"]),
        (None, {"region": "UA"}, ["sty_3", "sty_1"]),
        (None, {"region": "UA-63"}, ["sty_1"]),
        (None, {"region": "UA-6"}, []),
        ("b", {"event_type": "flood"}, ["sty_2"]),
        ("a", {"event_type": "flood"}, []),
        (None, {"topic": "conflict"}, ["sty_3", "sty_1"]),
        (None, {"topic": "conflict", "region": "PL"}, []),
        ("c", {}, []),
    ],
)
def test_list_stories_shows_a_tenant_its_alerted_stories_filtered(
    make: Callable[[str], Any], tenant: str | None, query: dict[str, str], expected: list[str]
) -> None:
    from newswatch.alerts.story_listing import StoryQuery

    page = seed_stories(make).list_stories(tenant=tenant, query=StoryQuery(**query))
    assert [s.id for s in page.items] == expected
    assert page.cursor is None


def test_list_stories_pages_with_a_cursor_and_honours_since(make: Callable[[str], Any]) -> None:
    stories = seed_stories(make)
    first = stories.list_stories(tenant=None, limit=2)
    assert [s.id for s in first.items] == ["sty_3", "sty_2"] and first.cursor
    second = stories.list_stories(tenant=None, cursor=first.cursor, limit=2)
    assert [s.id for s in second.items] == ["sty_1"] and second.cursor is None
    recent = stories.list_stories(tenant=None, since=NOW - timedelta(minutes=20))
    assert [s.id for s in recent.items] == ["sty_3", "sty_2"]


def test_story_detail_holds_members_and_only_the_callers_alerts(make: Callable[[str], Any]) -> None:
    stories = seed_stories(make)
    mine = stories.story_detail("sty_1", "a")
    assert mine is not None
    assert [m.article_id for m in mine.story.members] == ["art1"]
    assert mine.story.members[0].title == "title 1" and mine.story.members[0].url == "https://n.example/1"
    assert [(a.id, a.revision) for a in mine.alerts] == [("alr_1_sub_1_0", 0), ("alr_1_sub_1_1", 1)]
    shared = stories.story_detail("sty_3", None)
    assert shared is not None and {a.tenant for a in shared.alerts} == {"a", "b"}
    assert stories.story_detail("sty_1", "b") is None  # another tenant's story
    assert stories.story_detail("sty_4", None) is None  # never alerted on
    assert stories.story_detail("sty_9", None) is None


# ------------------------------------------------------------------ the stories index


def many_stories(make: Callable[[str], Any], n: int) -> Any:
    """`n` alerted stories of tenant a, one minute apart (sty_0 oldest); odd ones in Poland."""
    stories, alerts = make("stories"), make("alerts")
    for i in range(n):
        region, event = ("PL", "flood") if i % 2 else ("UA-63", "strike")
        stories.save(located_story(i, NOW + timedelta(minutes=i), event, region, "conflict"), [])
        alerts.put(alerted(i, "a", "sub_1"))
    return stories


def test_a_page_reads_only_its_own_stories(make: Callable[[str], Any]) -> None:
    stories = many_stories(make, 30)
    read: list[str] = []
    real = stories._read

    def spy(ids: list[str]) -> Any:
        read.extend(ids)
        return real(ids)

    stories._read = spy
    page = stories.list_stories(tenant="a", limit=5)
    assert [s.id for s in page.items] == [f"sty_{i}" for i in range(29, 24, -1)] and page.cursor
    assert len(read) <= 6  # the page and one more, to know whether another page follows


def test_cursor_pages_walk_the_index_once_with_and_without_filters(make: Callable[[str], Any]) -> None:
    from newswatch.alerts.story_listing import StoryQuery

    stories = many_stories(make, 25)
    for query, expected in (
        (StoryQuery(), [f"sty_{i}" for i in range(24, -1, -1)]),
        (StoryQuery(region="UA"), [f"sty_{i}" for i in range(24, -1, -2)]),
        (StoryQuery(event_type="flood", region="PL"), [f"sty_{i}" for i in range(23, 0, -2)]),
    ):
        seen, cursor = [], None
        while True:
            page = stories.list_stories(tenant="a", query=query, cursor=cursor, limit=3)
            seen += [s.id for s in page.items]
            if page.cursor is None:
                break
            cursor = page.cursor
        assert seen == expected, query
    since = stories.list_stories(tenant=None, since=NOW + timedelta(minutes=20), limit=100)
    assert [s.id for s in since.items] == [f"sty_{i}" for i in range(24, 19, -1)]


def test_the_index_follows_a_story_that_grows_after_its_alert(make: Callable[[str], Any]) -> None:
    stories = many_stories(make, 3)
    assert [s.id for s in stories.list_stories(tenant="a").items] == ["sty_2", "sty_1", "sty_0"]
    later = NOW + timedelta(hours=1)
    assert stories.commit(Changes({"sty_0": write("sty_0", 1, member(7), at=later)}))
    assert [s.id for s in stories.list_stories(tenant="a").items] == ["sty_0", "sty_2", "sty_1"]
    assert [s.id for s in stories.list_stories(tenant=None, since=later).items] == ["sty_0"]


def test_alerts_committed_by_the_planner_file_their_story(make: Callable[[str], Any]) -> None:
    stories = make("stories")
    # A story and its alert in one commit, then a held alert committed later without a story write.
    first = alerted(1, "a", "sub_1", NOW)
    assert stories.commit(Changes({"sty_1": write("sty_1", 0, member(1), at=NOW)}, alerts=[first]))
    stories.save(located_story(2, NOW + timedelta(minutes=5), "strike", "UA-63", "conflict"), [])
    held = alerted(2, "b", "sub_2", NOW + timedelta(minutes=9))
    assert stories.commit(Changes(alerts=[held]))
    assert [s.id for s in stories.list_stories(tenant="a").items] == ["sty_1"]
    assert [s.id for s in stories.list_stories(tenant="b").items] == ["sty_2"]
    assert [s.id for s in stories.list_stories(tenant=None).items] == ["sty_2", "sty_1"]
    digest = AlertRecord("dig_1", "sub_1", "a", AlertKind.DIGEST, "", 0, {}, created_at=NOW)
    assert stories.commit_digest(digest, [])  # a digest names no story: nothing new is listed
    assert [s.id for s in stories.list_stories(tenant="a").items] == ["sty_1"]


def test_stories_seen_at_the_same_time_page_by_id_and_detail_reads_the_storys_alerts(
    make: Callable[[str], Any],
) -> None:
    stories, alerts = make("stories"), make("alerts")
    for i in range(5):
        stories.save(located_story(i, NOW, "strike", "UA-63", "conflict"), [])
        alerts.put(alerted(i, "a", "sub_1", NOW + timedelta(seconds=i)))
    alerts.put(alerted(2, "b", "sub_2", NOW))
    first = stories.list_stories(tenant="a", limit=2)
    rest = stories.list_stories(tenant="a", cursor=first.cursor, limit=10)
    assert [s.id for s in (*first.items, *rest.items)] == ["sty_4", "sty_3", "sty_2", "sty_1", "sty_0"]
    assert rest.cursor is None
    detail = stories.story_detail("sty_2", None)
    assert detail is not None and [(a.tenant, a.id) for a in detail.alerts] == [
        ("b", "alr_2_sub_2_0"),
        ("a", "alr_2_sub_1_0"),
    ]
