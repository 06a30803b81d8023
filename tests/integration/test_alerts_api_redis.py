"""The subscriptions and alerts API over HTTP on the distributed stores (real Redis).

The FastAPI app from `create_app` is served by uvicorn on 127.0.0.1; the
dispatcher records what it is asked to enqueue (delivery itself has its own tests: test_delivery_*.py).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from newswatch.alerts.planner import PlannerConfig, StoryPlanner
from newswatch.alerts.ports import AlertKind, AlertRecord, AlertStatus, Member, Story
from newswatch.api.app import create_app
from newswatch.compose import Services
from newswatch.config import Settings
from newswatch.observability.metrics import Metrics
from newswatch.store.alerts_redis import RedisAlerts, RedisSubscriptions
from newswatch.store.alerts_redis_stories import RedisStories
from newswatch.store.analyses import RedisAnalyses
from newswatch.store.api_keys import RedisApiKeys
from newswatch.store.dead_letters import RedisDeadLetters
from newswatch.store.delivery_log_redis import RedisDeliveryLog
from newswatch.store.redis import Keys, client_from_url
from tests.integration.embedded_process import free_port, wait_for
from tests.services_kit import RecordingDispatcher, no_background

ADMIN = "alerts-admin-token"
HOOK = {"url": "http://127.0.0.1:9/hook"}  # loopback: allowed here by NEWSWATCH_WEBHOOK_ALLOW_PRIVATE


@dataclass
class Api:
    url: str
    app: FastAPI
    services: Services
    dispatcher: RecordingDispatcher
    subs: RedisSubscriptions
    alerts: RedisAlerts

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def api(redis_url: str) -> Iterator[Api]:
    client = client_from_url(redis_url)
    keys = Keys(f"newswatch-test:{uuid.uuid4().hex[:12]}:")
    settings = Settings.from_env({"NEWSWATCH_ADMIN_TOKEN": ADMIN, "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "1"})
    dispatcher = RecordingDispatcher()
    subs, stories, alerts = (
        RedisSubscriptions(client, keys),
        RedisStories(client, keys),
        RedisAlerts(client, keys),
    )
    services = Services(
        settings=settings,
        producer=None,  # type: ignore[arg-type]  # no article ingest in these tests
        ingest_lock=threading.Lock(),
        dead_letters=RedisDeadLetters(client, keys),
        analyses=RedisAnalyses(client, keys),
        api_keys=RedisApiKeys(client, keys),
        metrics=Metrics(CollectorRegistry()),
        planner=StoryPlanner(subs, stories, PlannerConfig(refresh_interval=timedelta(0))),
        subscriptions=subs,
        alerts=alerts,
        stories=stories,
        deliveries=RedisDeliveryLog(client, keys),
        dispatcher=dispatcher,
        **no_background(alert_sink=lambda draft: None),  # these tests plan no alerts from articles
    )
    port = free_port()
    app = create_app(services)
    server = uvicorn.Server(uvicorn.Config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, 15, "uvicorn")
    yield Api(f"http://127.0.0.1:{port}", app, services, dispatcher, subs, alerts)
    server.should_exit = True
    thread.join(10)
    for key in client.scan_iter(match=keys.prefix + "*"):
        client.delete(key)
    client.close()


def tenant_key(api: Api, tenant: str) -> str:
    with api.client(ADMIN) as admin:
        r = admin.post("/v1/api-keys", json={"tenant": tenant})
        assert r.status_code == 201, r.text
        key: str = r.json()["key"]
        return key


def create(c: httpx.Client, name: str = "s", **extra: object) -> dict:
    r = c.post("/v1/subscriptions", json={"name": name, "webhook": HOOK, **extra})
    assert r.status_code == 201, r.text
    body: dict = r.json()
    return body


def test_create_returns_the_secret_once_and_crud_works(api: Api) -> None:
    with api.client(tenant_key(api, "acme")) as c:
        made = create(c, filters={"event_types": ["power_plant_strike"], "regions": ["UA"]})
        assert made["secret"].startswith("whsec_") and made["tenant"] == "acme"
        got = c.get(f"/v1/subscriptions/{made['id']}").json()
        assert "secret" not in got and got["filters"]["regions"] == ["UA"]
        patched = c.patch(f"/v1/subscriptions/{made['id']}", json={"filters": {"min_publishers": 3}})
        assert patched.status_code == 200, patched.text
        assert patched.json()["filters"]["min_publishers"] == 3 and patched.json()["filters"]["regions"] == [
            "UA"
        ]
        stored = api.subs.get(made["id"])
        assert stored is not None and stored.secret == made["secret"]  # PATCH kept the secret
        assert [s["id"] for s in c.get("/v1/subscriptions").json()["items"]] == [made["id"]]
        assert c.delete(f"/v1/subscriptions/{made['id']}").status_code == 204
        assert c.get(f"/v1/subscriptions/{made['id']}").status_code == 404


def test_invalid_subscriptions_are_refused(api: Api) -> None:
    with api.client(ADMIN) as c:
        bad_region = c.post(
            "/v1/subscriptions", json={"name": "x", "webhook": HOOK, "filters": {"regions": ["ukraine"]}}
        )
        no_hook = c.post("/v1/subscriptions", json={"name": "x"})
        secret = c.post(
            "/v1/subscriptions", json={"name": "x", "webhook": HOOK, "secret": "whsec_" + "A" * 20}
        )
    assert (bad_region.status_code, no_hook.status_code, secret.status_code) == (422, 422, 422)
    # one error shape (RFC 9457 problem details) naming the field and the fix
    assert bad_region.headers["content-type"] == "application/problem+json"
    assert bad_region.json()["errors"][0]["field"] == "body.filters.regions[0]"
    assert bad_region.json()["errors"][0]["suggestion"] == "did you mean UA (Ukraine)?"


def test_tenant_a_cannot_read_or_change_tenant_bs_subscriptions_or_alerts(api: Api) -> None:
    a, b = tenant_key(api, "tenant-a"), tenant_key(api, "tenant-b")
    with api.client(a) as ca, api.client(b) as cb, api.client(ADMIN) as admin:
        mine = create(cb, "b's")
        sid = mine["id"]
        api.alerts.put(AlertRecord("alr_b1", sid, "tenant-b", AlertKind.DETECTED, "sty_1", 0, {"data": {}}))
        assert ca.get(f"/v1/subscriptions/{sid}").status_code == 404
        assert ca.patch(f"/v1/subscriptions/{sid}", json={"name": "stolen"}).status_code == 404
        assert ca.delete(f"/v1/subscriptions/{sid}").status_code == 404
        assert (
            ca.post(f"/v1/subscriptions/{sid}/replay", json={"since": "2000-01-01T00:00:00Z"}).status_code
            == 404
        )
        assert ca.post(f"/v1/subscriptions/{sid}/test").status_code == 404
        assert ca.get("/v1/subscriptions").json()["items"] == []
        assert ca.get("/v1/alerts").json()["items"] == [] and ca.get("/v1/alerts/alr_b1").status_code == 404
        assert (
            ca.post(
                "/v1/subscriptions", json={"name": "x", "webhook": HOOK, "tenant": "tenant-b"}
            ).status_code
            == 403
        )
        assert cb.get(f"/v1/subscriptions/{sid}").json()["name"] == "b's"
        assert [x["id"] for x in cb.get("/v1/alerts").json()["items"]] == ["alr_b1"]
        assert [x["id"] for x in admin.get("/v1/subscriptions").json()["items"]] == [sid]
        assert [x["id"] for x in admin.get("/v1/alerts").json()["items"]] == ["alr_b1"]
    assert api.dispatcher.enqueued == []


def test_alerts_page_with_a_cursor_and_filter_by_subscription(api: Api) -> None:
    t0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    for n in range(5):
        sub = "sub_x" if n % 2 else "sub_y"
        api.alerts.put(
            AlertRecord(
                f"alr_{n}", sub, "admin", AlertKind.DETECTED, "s", 0, {}, created_at=t0 + timedelta(seconds=n)
            )
        )
    with api.client(ADMIN) as c:
        first = c.get("/v1/alerts", params={"limit": 2}).json()
        second = c.get("/v1/alerts", params={"limit": 2, "cursor": first["cursor"]}).json()
        third = c.get("/v1/alerts", params={"limit": 2, "cursor": second["cursor"]}).json()
        only_x = c.get("/v1/alerts", params={"subscription_id": "sub_x"}).json()
        since = c.get("/v1/alerts", params={"since": (t0 + timedelta(seconds=3)).isoformat()}).json()
        bad = c.get("/v1/alerts", params={"cursor": "not-a-cursor"})
    pages = [x["id"] for p in (first, second, third) for x in p["items"]]
    assert pages == ["alr_4", "alr_3", "alr_2", "alr_1", "alr_0"] and third["cursor"] is None
    assert [x["id"] for x in only_x["items"]] == ["alr_3", "alr_1"]
    assert [x["id"] for x in since["items"]] == ["alr_4", "alr_3"]
    assert bad.status_code == 422


def test_replay_and_test_enqueue_through_the_dispatcher(api: Api) -> None:
    with api.client(ADMIN) as c:
        sid = create(c)["id"]
        t0 = datetime.now(UTC) - timedelta(minutes=5)
        for n, status in enumerate([AlertStatus.DELIVERED, AlertStatus.EXHAUSTED, AlertStatus.FAILED]):
            rec = AlertRecord(
                f"alr_r{n}", sid, "admin", AlertKind.DETECTED, "s", 0, {}, status, t0 + timedelta(seconds=n)
            )
            api.alerts.put(rec)
        failed = c.post(f"/v1/subscriptions/{sid}/replay", json={"since": t0.isoformat()})
        everything = c.post(
            f"/v1/subscriptions/{sid}/replay", json={"since": t0.isoformat(), "only_failed": False}
        )
        test = c.post(f"/v1/subscriptions/{sid}/test")
    assert failed.status_code == 202 and failed.json()["alert_ids"] == ["alr_r1", "alr_r2"]
    assert everything.json()["alert_ids"] == ["alr_r0", "alr_r1", "alr_r2"]
    test_id = test.json()["alert_id"]
    assert api.dispatcher.enqueued == ["alr_r1", "alr_r2", "alr_r0", "alr_r1", "alr_r2", test_id]
    test_alert, replayed = api.alerts.get(test_id), api.alerts.get("alr_r1")
    assert test_alert is not None and test_alert.payload["type"] == "subscription.test"
    assert replayed is not None and replayed.status == "pending"  # replay resets the status for delivery


def test_ssrf_guard_refuses_private_webhooks_when_not_allowed(api: Api) -> None:
    strict = Settings.from_env({"NEWSWATCH_ADMIN_TOKEN": ADMIN})
    api.app.state.services = replace(api.services, settings=strict)
    with api.client(ADMIN) as c:
        for url in (
            "http://127.0.0.1:8080/x",
            "http://169.254.169.254/latest",
            "http://10.1.2.3/h",
            "ftp://example.com/",
        ):
            r = c.post("/v1/subscriptions", json={"name": "x", "webhook": {"url": url}})
            assert r.status_code == 422, (url, r.text)
        assert c.get("/v1/subscriptions").json()["items"] == []


def test_openapi_documents_the_alerts_routes(api: Api) -> None:
    doc = httpx.get(f"{api.url}/openapi.json").json()
    paths = {
        p: sorted(doc["paths"][p])
        for p in doc["paths"]
        if p.startswith(("/v1/subscriptions", "/v1/alerts", "/v1/stories"))
    }
    assert paths == {
        "/v1/subscriptions": ["get", "post"],
        "/v1/subscriptions/{sub_id}": ["delete", "get", "patch"],
        "/v1/subscriptions/{sub_id}/replay": ["post"],
        "/v1/subscriptions/{sub_id}/test": ["post"],
        "/v1/subscriptions/{sub_id}/rotate-secret": ["post"],
        "/v1/alerts": ["get"],
        "/v1/alerts/{alert_id}": ["get"],
        "/v1/stories": ["get"],
        "/v1/stories/{story_id}": ["get"],
    }
    for path, codes in (
        ("/v1/stories", {"200", "401", "422"}),
        ("/v1/stories/{story_id}", {"200", "401", "404", "422"}),
    ):
        assert codes <= set(doc["paths"][path]["get"]["responses"]), path


def story_in(n: int, region: str, event: str, last: datetime) -> Story:
    loc = {"country": region.split("-", 1)[0], "subdivision": region if "-" in region else None}
    e = {
        "type": event,
        "confidence": 0.9,
        "location": loc,
        "evidence": {"article_id": f"a{n}", "sentence": "s"},
    }
    m = Member(
        f"a{n}",
        "outlet",
        "outlet",
        f"headline {n}",
        f"https://o.example/{n}",
        last.isoformat(),
        events=(e,),
        topics={"conflict": 0.7},
        seen_at=last,
    )
    return Story(f"sty_{n}", last - timedelta(minutes=5), last, (f"{event}@{region}",), (m,))


def test_stories_are_listed_per_tenant_filtered_paged_and_detailed(api: Api) -> None:
    t0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    stories = api.services.stories
    assert stories is not None
    for n, (region, event) in enumerate(
        [("UA-63", "power_plant_strike"), ("PL", "natural_disaster"), ("UA", "strike")]
    ):
        stories.save(story_in(n, region, event, t0 + timedelta(minutes=n)), [])
        tenant = "tenant-b" if n == 1 else "tenant-a"
        api.alerts.put(
            AlertRecord(f"alr_{n}", f"sub_{tenant}", tenant, AlertKind.DETECTED, f"sty_{n}", 0, {})
        )
    a, b = tenant_key(api, "tenant-a"), tenant_key(api, "tenant-b")
    with api.client(a) as ca, api.client(b) as cb, api.client(ADMIN) as admin:
        assert [s["id"] for s in ca.get("/v1/stories").json()["items"]] == ["sty_2", "sty_0"]
        assert [s["id"] for s in cb.get("/v1/stories").json()["items"]] == ["sty_1"]
        assert [s["id"] for s in ca.get("/v1/stories", params={"region": "UA"}).json()["items"]] == [
            "sty_2",
            "sty_0",
        ]
        assert [s["id"] for s in ca.get("/v1/stories", params={"region": "UA-63"}).json()["items"]] == [
            "sty_0"
        ]
        flood = admin.get("/v1/stories", params={"event_type": "natural_disaster"}).json()["items"]
        assert [s["id"] for s in flood] == ["sty_1"] and flood[0]["regions"] == ["PL"]
        since = admin.get("/v1/stories", params={"since": (t0 + timedelta(minutes=1)).isoformat()}).json()
        assert [s["id"] for s in since["items"]] == ["sty_2", "sty_1"]
        first = admin.get("/v1/stories", params={"limit": 2}).json()
        rest = admin.get("/v1/stories", params={"limit": 2, "cursor": first["cursor"]}).json()
        assert [s["id"] for s in first["items"] + rest["items"]] == ["sty_2", "sty_1", "sty_0"]
        assert rest["cursor"] is None

        detail = ca.get("/v1/stories/sty_0").json()
        assert detail["members"] == [
            {
                "article_id": "a0",
                "title": "headline 0",
                "url": "https://o.example/0",
                "source": "outlet",
                "published_at": t0.isoformat(),
                "regions": [],
                "event_types": ["power_plant_strike"],
            }
        ]
        assert detail["events"]["counts"] == {"power_plant_strike": 1}
        assert [x["id"] for x in detail["alerts"]] == ["alr_0"] and detail["regions"] == ["UA", "UA-63"]
        assert cb.get("/v1/stories/sty_0").status_code == 404
        assert admin.get("/v1/stories/sty_0").status_code == 200
        bad = ca.get("/v1/stories", params={"topic": "sports"})
        assert bad.status_code == 422 and "sport" in bad.json()["errors"][0]["suggestion"]
