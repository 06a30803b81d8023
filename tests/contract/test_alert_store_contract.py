"""One contract for the alerts-domain stores (newswatch/alerts/ports.py), run on SQLite and real Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newswatch.alerts.ports import (
    AlertRecord,
    Candidate,
    Filters,
    Member,
    Notice,
    Story,
    Subscription,
    Webhook,
    micros,
)
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
    n: int, sub_id: str = "sub_1", tenant: str = "a", at: datetime = NOW, status: str = "pending"
) -> AlertRecord:
    payload = {"version": "1", "type": "story.detected", "data": {"n": n}}
    return AlertRecord(f"alr_{n:04d}", sub_id, tenant, "story.detected", f"sty_{n}", 0, payload, status, at)


# ------------------------------------------------------------------ subscriptions


def test_created_subscription_reads_back_whole_with_its_secret(make: Callable[[str], Any]) -> None:
    s = make("subs").create(sub(1, created_at=NOW))
    assert make("subs").get("sub_1") == s
    assert s.secret.startswith("whsec_") and s.webhook.headers == {"X": "1"}


def test_create_sets_created_at_and_refuses_a_duplicate_id(make: Callable[[str], Any]) -> None:
    store = make("subs")
    assert store.create(sub(1)).created_at is not None
    with pytest.raises(KeyError):
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
    assert make("alerts").get("alr_0001") == alert(1, status="delivered")


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
    statuses = ["delivered", "failed", "exhausted", "pending", "disabled"]
    for n, st in enumerate(statuses):
        store.put(alert(n, at=NOW + timedelta(seconds=n), status=st))
    store.put(alert(9, "sub_2", at=NOW, status="failed"))
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


def test_story_round_trips_and_is_found_by_key_or_band_inside_the_window(make: Callable[[str], Any]) -> None:
    store = make("stories")
    store.save(story(1, NOW), ["0:aa", "1:bb"])
    store.save(story(2, NOW - timedelta(hours=5)), ["0:aa"])
    assert make("stories").get("sty_1") == story(1, NOW)
    since = NOW - timedelta(hours=2)
    assert [s.id for s in store.by_keys(["strike@UA-63", "x@y"], since)] == ["sty_1"]
    assert [s.id for s in store.by_bands(["0:aa"], NOW - timedelta(hours=6))] == ["sty_1", "sty_2"]
    assert (
        store.by_bands(["9:zz"], since) == []
        and store.by_keys([], since) == []
        and store.get("sty_9") is None
    )


def test_saving_a_story_again_refreshes_its_window(make: Callable[[str], Any]) -> None:
    store = make("stories")
    store.save(story(1, NOW - timedelta(hours=5)), ["0:aa"])
    store.save(replace(story(1, NOW), keys=("strike@UA-63", "casualties@UA-63")), [])
    since = NOW - timedelta(hours=1)
    assert [s.id for s in store.by_keys(["casualties@UA-63"], since)] == ["sty_1"]
    assert [s.id for s in store.by_keys(["strike@UA-63"], since)] == ["sty_1"]


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


def test_find_reads_keys_and_bands_at_once_and_says_which_came_by_text(make: Callable[[str], Any]) -> None:
    store = make("stories")
    store.save(story(1, NOW), ["0:aa"])
    store.save(story(2, NOW, keys=("protest@PL",)), ["1:bb"])
    store.save(story(3, NOW - timedelta(hours=5)), ["1:bb"])
    found, by_text = store.find(["strike@UA-63"], ["1:bb", "2:cc"], NOW - timedelta(hours=1))
    assert [s.id for s in found] == ["sty_1", "sty_2"] and by_text == frozenset({"sty_2"})
    assert store.find([], [], NOW) == ([], frozenset())


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


def test_locked_keys_exclude_another_planner_until_released(make: Callable[[str], Any]) -> None:
    one, other = make("stories"), make("stories")
    events: list[str] = []
    with one.locked(["strike@UA-63", "casualties@UA-63"]):
        waiter = threading.Thread(target=lambda: _take(other, ["strike@UA-63"], events))
        waiter.start()
        time.sleep(0.3)
        events.append("released")
    waiter.join(10)
    assert events == ["released", "taken"]
    with one.locked(["strike@UA-63"]), other.locked([]):  # nothing to hold: never waits
        pass


def _take(store: Any, keys: list[str], events: list[str]) -> None:
    with store.locked(keys):
        events.append("taken")


def test_prune_closes_stories_older_than_the_cut(make: Callable[[str], Any]) -> None:
    store = make("stories")
    store.save(story(1, NOW - timedelta(hours=30)), ["0:aa"])
    store.save(story(2, NOW), ["0:aa"])
    store.prune(NOW - timedelta(hours=24))
    found, by_text = store.find(["strike@UA-63"], ["0:aa"], NOW - timedelta(days=10))
    assert [s.id for s in found] == ["sty_2"] and by_text == frozenset({"sty_2"})
