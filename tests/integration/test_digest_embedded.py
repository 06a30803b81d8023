"""Digest delivery and region-only subscriptions in embedded mode, driven over the HTTP API.

The service runs in this process (API on 127.0.0.1, the pipeline thread, SQLite, in-process
delivery) with a clock the test moves, so a period ends when the test says so instead of after an
hour. A real receiver on 127.0.0.1 verifies every Standard Webhooks signature.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from newswatch import compose
from newswatch.config import Settings
from newswatch.contracts.schemas import schema_errors
from newswatch.runtime.embedded_loop import PipelineLoop
from tests.integration.api_server import serve
from tests.integration.embedded_process import wait_for
from tests.integration.test_delivery_helpers import Receiver, receiver_factory

ADMIN = "digest-admin-token"
WITHIN_S = 30.0
START = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)
# Kharkiv oblast (UA-63): a reported strike, and two articles that report no event at all.
STRIKE = (
    "Missile strike knocks out power station in Kharkiv region",
    "A Russian missile struck a thermal power station in Kharkiv oblast early on Wednesday, regional "
    "officials said. Firefighters spent hours putting out the blaze at the plant, and several "
    "neighbourhoods lost electricity.",
)
THEATRE = (
    "Kharkiv theatre reopens after two years of repairs",
    "The opera and ballet theatre in Kharkiv reopened its doors on Saturday after two years of repairs, "
    "the city council said. The first performance sold out within hours.",
)
LIBRARY = (
    "Kharkiv library adds a new reading room",
    "A library in Kharkiv opened a new reading room for children on Monday, the city council said.",
)
# Odesa oblast (UA-51), no event; no other test subscribes there.
ZOO = (
    "Odesa zoo welcomes two lion cubs",
    "Two lion cubs were born at the Odesa zoo last week, the zoo's director said on Thursday. "
    "Visitors will be able to see them in the spring.",
)
# Lviv oblast (UA-46), sport, no event.
MARATHON = (
    "Lviv marathon draws record field",
    "More than ten thousand runners took part in the Lviv marathon on Sunday, the organisers said, "
    "a record for the race.",
)


class Clock:
    """The service's time: moves only when the test moves it."""

    def __init__(self, now: datetime) -> None:
        self._now, self._lock = now, threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, now: datetime) -> None:
        with self._lock:
            self._now = now


@dataclass
class Service:
    api: httpx.Client
    clock: Clock


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    settings = Settings.from_env(
        {
            "NEWSWATCH_DATA_DIR": str(tmp_path_factory.mktemp("digest")),
            "NEWSWATCH_ADMIN_TOKEN": ADMIN,
            "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on loopback
        }
    )
    clock = Clock(START)
    services = compose.build(settings, clock=clock)
    loop = PipelineLoop(services, compose.pipeline(services), services.make_consumer())
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        with (
            serve(services) as url,
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30) as c,
        ):
            yield Service(c, clock)
    finally:
        loop.stop.set()
        thread.join(30)
        services.close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from receiver_factory()


def subscribe(api: httpx.Client, hook: Receiver, name: str, **body: Any) -> dict[str, Any]:
    r = api.post("/v1/subscriptions", json={"name": name, "webhook": {"url": hook.url}, **body})
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    hook.secret = created["secret"]
    return created


def post(
    api: httpx.Client, art_id: str, text: tuple[str, str], source: str = "city-news", **more: str
) -> None:
    doc = {"id": art_id, "title": text[0], "body": text[1], "source": source, **more}
    assert api.post("/v1/articles", json=doc).status_code == 202
    wait_for(lambda: api.get(f"/v1/analyses/{art_id}").status_code == 200, WITHIN_S, f"analysis {art_id}")


def alerts_of(api: httpx.Client, sub_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get("/v1/alerts", params={"subscription_id": sub_id}).json()["items"]
    return items


def verified(hook: Receiver, n: int) -> list[dict[str, Any]]:
    got = hook.wait_for(n, WITHIN_S)
    assert len(got) >= n, f"{len(got)} webhooks of {n}"
    assert all(g.verified is not None for g in got), "every webhook is signed with the subscription's secret"
    return [g.verified for g in got]


def test_a_digest_subscriber_gets_one_signed_digest_per_period_with_its_stories(
    service: Service, receiver: Callable[..., Receiver]
) -> None:
    api, clock, hook = service.api, service.clock, receiver(200)
    sub = subscribe(
        api,
        hook,
        "kharkiv hourly",
        filters={"regions": ["UA-63"]},
        delivery={"mode": "digest", "interval": "PT1H"},
    )
    assert sub["delivery"] == {"mode": "digest", "interval": "1h"}

    post(api, "dg-strike", STRIKE)
    post(api, "dg-theatre", THEATRE)  # no event: a region subscription alerts on it too
    waiting = alerts_of(api, sub["id"])
    assert len(waiting) == 2 and {a["status"] for a in waiting} == {"in_digest"}
    assert hook.got == []  # planned, and held for the digest: nothing was sent on its own

    clock.set(datetime(2026, 11, 25, 11, 0, 1, tzinfo=UTC))  # the 10:00-11:00 period is over
    (body,) = verified(hook, 1)
    data = body["data"]
    assert body["type"] == "digest" and schema_errors("alert", body) == []
    assert hook.got[0].headers["webhook-id"] == data["alert_id"]
    assert data["subscription_id"] == sub["id"] and data["subscription_name"] == "kharkiv hourly"
    assert data["period"] == {
        "start": "2026-11-25T10:00:00Z",
        "end": "2026-11-25T11:00:00Z",
        "interval": "1h",
    }
    stories = {s["articles"][0]["id"]: s for s in data["stories"]}
    assert sorted(stories) == ["dg-strike", "dg-theatre"] and data["stories_total"] == 2
    assert "power_plant_strike" in stories["dg-strike"]["event_types"]
    assert stories["dg-strike"]["events"] and stories["dg-theatre"]["event_types"] == []
    assert {m["value"] for s in stories.values() for m in s["matched"]["regions"]} == {"UA-63"}
    assert all(s["type"] == "story.detected" for s in stories.values())

    # Two empty periods (11-12, 12-13), then one with a new story: the next webhook is that
    # period's digest, and only two digests exist.
    clock.set(datetime(2026, 11, 25, 13, 0, 1, tzinfo=UTC))
    post(api, "dg-library", LIBRARY)
    clock.set(datetime(2026, 11, 25, 14, 0, 1, tzinfo=UTC))
    first, second = verified(hook, 2)
    assert second["data"]["period"]["start"] == "2026-11-25T13:00:00Z"
    assert [s["articles"][0]["id"] for s in second["data"]["stories"]] == ["dg-library"]
    digests = [a for a in alerts_of(api, sub["id"]) if a["kind"] == "digest"]
    assert sorted(a["id"] for a in digests) == sorted([first["data"]["alert_id"], second["data"]["alert_id"]])
    wait_for(
        lambda: all(a["status"] == "delivered" for a in digests_of(api, sub["id"])), WITHIN_S, "delivered"
    )

    # Replaying the subscription resends the digests (same webhook-id), never their parts one by one.
    r = api.post(
        f"/v1/subscriptions/{sub['id']}/replay", json={"since": "2026-11-25T00:00:00Z", "only_failed": False}
    )
    assert r.status_code == 202 and sorted(r.json()["alert_ids"]) == sorted(a["id"] for a in digests)
    replayed = hook.wait_for(4, WITHIN_S)[2:]
    assert sorted(g.headers["webhook-id"] for g in replayed) == sorted(a["id"] for a in digests)


def digests_of(api: httpx.Client, sub_id: str) -> list[dict[str, Any]]:
    return [a for a in alerts_of(api, sub_id) if a["kind"] == "digest"]


def test_region_and_topic_subscriptions_alert_on_articles_without_events(
    service: Service, receiver: Callable[..., Receiver]
) -> None:
    api = service.api
    by_region, by_topic, by_both = receiver(200), receiver(200), receiver(200)
    subscribe(api, by_region, "lviv", filters={"regions": ["UA-46"]})
    subscribe(api, by_topic, "sport", filters={"topics": [{"id": "sport", "min_score": 0.5}]})
    subscribe(api, by_both, "lviv sport", filters={"regions": ["UA-46"], "keywords": ["marathon"]})
    post(api, "rg-marathon", MARATHON, "sport-desk")
    for hook, kind in ((by_region, "regions"), (by_topic, "topics"), (by_both, "keywords")):
        (body,) = verified(hook, 1)
        data = body["data"]
        assert (
            body["type"] == "story.detected"
            and data["event_types"] == []
            and schema_errors("alert", body) == []
        )
        assert data["articles"][0]["id"] == "rg-marathon" and data["matched"][kind]
        assert data["subscription_name"] in ("lviv", "sport", "lviv sport")


BAD_DELIVERY = [
    # (delivery, words of the hint)
    ({"mode": "digest"}, '"interval": "1h"'),  # digest needs an interval
    ({"mode": "digest", "interval": "1m"}, "from 5m to 24h"),  # too short
    ({"mode": "digest", "interval": "2d"}, "from 5m to 24h"),  # too long
    ({"mode": "digest", "interval": "an hour"}, "ISO 8601"),  # unreadable
    ({"mode": "digest", "interval": "PT1H30S"}, "ISO 8601"),  # seconds are not a unit
    ({"interval": "1h"}, '"mode": "digest"'),  # an interval without digest mode
]


@pytest.mark.parametrize(("delivery", "hint"), BAD_DELIVERY)
def test_bad_delivery_settings_are_problem_details_naming_the_field(
    service: Service, delivery: dict[str, str], hint: str
) -> None:
    body = {"name": "x", "webhook": {"url": "http://127.0.0.1:9/x"}, "delivery": delivery}
    r = service.api.post("/v1/subscriptions", json=body)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    (error,) = r.json()["errors"]
    assert error["field"] == "body.delivery.interval" and hint in error["suggestion"], error


def test_a_bad_mode_is_refused_and_patch_checks_delivery_too(service: Service) -> None:
    body = {"name": "x", "webhook": {"url": "http://127.0.0.1:9/x"}}
    r = service.api.post("/v1/subscriptions", json={**body, "delivery": {"mode": "weekly"}})
    assert r.status_code == 422 and "delivery.mode" in r.text
    created = service.api.post("/v1/subscriptions", json=body)
    assert created.status_code == 201 and created.json()["delivery"] == {"mode": "immediate"}
    sub_id = created.json()["id"]
    bad = service.api.patch(
        f"/v1/subscriptions/{sub_id}", json={"delivery": {"mode": "digest", "interval": "3m"}}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.delivery.interval"
    good = service.api.patch(
        f"/v1/subscriptions/{sub_id}", json={"delivery": {"mode": "digest", "interval": "90m"}}
    )
    assert good.status_code == 200 and good.json()["delivery"] == {"mode": "digest", "interval": "90m"}


OWN_REPORT = (
    "Two workers killed as missile hits Kharkiv power station",
    "Two workers were killed when a Russian missile struck the thermal power station in Kharkiv "
    "oblast on Wednesday, the plant's director told reporters.",
)


def test_a_story_past_fifty_members_keeps_its_events_and_unknown_outlets_count_once(
    service: Service, receiver: Callable[..., Receiver]
) -> None:
    """51 copies with neither source nor URL, then a local paper's own report: one story whose
    alerts still carry the strike and the toll, with two publishers (the unknown one and the paper)."""
    api, hook = service.api, receiver(200)
    service.clock.set(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # days after this module's other stories
    sub = subscribe(
        api,
        hook,
        "big story",
        filters={"event_types": ["power_plant_strike"], "regions": ["UA"]},
        repeat_interval=0,
    )
    copies = [{"id": f"big-{n}", "title": STRIKE[0], "body": STRIKE[1]} for n in range(51)]
    assert api.post("/v1/articles", json=copies).status_code == 202
    post(api, "big-own", OWN_REPORT, "local-paper")
    wait_for(lambda: api.get("/v1/analyses/big-50").status_code == 200, WITHIN_S, "every copy analysed")
    mine = [a for a in alerts_of(api, sub["id"]) if a["kind"] in ("story.detected", "story.updated")]
    story_ids = {a["story_id"] for a in mine}
    assert len(story_ids) == 1, mine
    detail = api.get(f"/v1/stories/{story_ids.pop()}").json()
    assert detail["articles"] == 52 and detail["publishers"] == 2
    assert (
        detail["events"]["counts"]["power_plant_strike"] >= 1
        and detail["events"]["casualties"]["killed"] == 2
    )
    latest = max(mine, key=lambda a: a["revision"])["payload"]["data"]
    assert "power_plant_strike" in {e["type"] for e in latest["events"]}
    assert latest["publishers"] == 2 and latest["casualties"]["killed"] == 2


def alerts_counted(api: httpx.Client, kind: str) -> float:
    """newswatch_alerts_total summed over event types, for one kind, as an operator scrapes it."""
    text = api.get("/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("newswatch_alerts_total{") and f'kind="{kind}"' in line
    )


def sent_alerts(api: httpx.Client, kind: str) -> int:
    """Alerts of `kind` stored for delivery on their own (not held in a digest), every tenant's."""
    count, cursor = 0, None
    while True:
        page = api.get("/v1/alerts", params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        count += sum(1 for a in page["items"] if a["kind"] == kind and a["status"] != "in_digest")
        if not (cursor := page["cursor"]):
            return count


def test_held_alerts_and_digests_are_counted_when_they_are_sent(
    service: Service, receiver: Callable[..., Receiver]
) -> None:
    """The counter moves by what was sent: a held alert once it falls due, a digest as one alert
    (its story alerts are not counted on their own). Other tests' subscriptions of this service
    may be alerted meanwhile too, so the counter is compared with the stored alerts."""
    api, clock = service.api, service.clock
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    before = {
        k: (alerts_counted(api, k), sent_alerts(api, f"story.{k}" if k != "digest" else k))
        for k in ("detected", "digest")
    }
    held, daily = receiver(200), receiver(200)
    subscribe(api, held, "held a minute", filters={"regions": ["UA-51"]}, group_wait=60)
    subscribe(
        api,
        daily,
        "odesa daily",
        filters={"regions": ["UA-51"]},
        delivery={"mode": "digest", "interval": "1d"},
    )
    post(api, "count-zoo", ZOO)
    clock.set(datetime(2026, 12, 1, 9, 1, 1, tzinfo=UTC))  # group_wait is over
    (alert,) = verified(held, 1)
    assert alert["type"] == "story.detected"
    clock.set(datetime(2026, 12, 2, 0, 0, 1, tzinfo=UTC))  # the day is over
    (digest,) = verified(daily, 1)
    assert digest["type"] == "digest" and digest["data"]["period"]["interval"] == "1d"
    for kind, (counted, stored) in before.items():
        new = sent_alerts(api, f"story.{kind}" if kind != "digest" else kind) - stored
        assert new >= 1 and alerts_counted(api, kind) - counted == new, kind


def test_a_report_published_years_apart_opens_its_own_story(
    service: Service, receiver: Callable[..., Receiver]
) -> None:
    api, hook = service.api, receiver(200)
    service.clock.set(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    sub = subscribe(api, hook, "plants", filters={"event_types": ["power_plant_strike"], "regions": ["UA"]})
    for art_id, published in (
        ("old-1", "2022-10-10T08:00:00Z"),  # an archive piece, re-published today
        ("new-1", "2026-12-05T08:00:00Z"),
        ("new-2", "2026-12-05T09:30:00Z"),  # the same day's copy joins today's story
    ):
        post(api, art_id, STRIKE, f"outlet-{art_id}", published_at=published)
    alerts = [a for a in alerts_of(api, sub["id"]) if a["kind"] == "story.detected"]
    assert len({a["story_id"] for a in alerts}) == 2 == len(alerts)
    members = {
        a["story_id"]: [m["article_id"] for m in api.get(f"/v1/stories/{a['story_id']}").json()["members"]]
        for a in alerts
    }
    assert sorted(members.values()) == [["new-1", "new-2"], ["old-1"]]
