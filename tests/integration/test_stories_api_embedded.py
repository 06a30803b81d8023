"""The stories API end to end in embedded mode: articles in over HTTP, alerted stories out."""

from __future__ import annotations

from tests.integration.embedded_process import EmbeddedProcess, Receiver, subscribe, wait_for
from tests.integration.test_embedded_alerts import STORY

WITHIN_S = 10.0


def test_a_tenant_lists_and_reads_the_stories_it_was_alerted_on(
    embedded_service: EmbeddedProcess, hook_receiver: Receiver
) -> None:
    with embedded_service.client() as admin:
        keys = {t: admin.post("/v1/api-keys", json={"tenant": t}).json()["key"] for t in ("acme", "other")}
    with (
        embedded_service.client(keys["acme"]) as acme,
        embedded_service.client(keys["other"]) as other,
        embedded_service.client() as admin,
    ):
        subscribe(acme, hook_receiver.url, {"event_types": ["power_plant_strike"]})
        title, body = STORY
        for n, source in ((1, "outlet-a"), (2, "outlet-b")):
            doc = {
                "id": f"story-{n}",
                "source": source,
                "title": title,
                "body": body,
                "url": f"https://{source}.example/{n}",
            }
            assert admin.post("/v1/articles", json=doc).status_code == 202
        wait_for(lambda: admin.get("/v1/analyses/story-2").status_code == 200, WITHIN_S, "analysis")
        alerts = acme.get("/v1/alerts").json()["items"]
        assert alerts, "the subscription was alerted"

        listed = acme.get("/v1/stories").json()
        assert [s["id"] for s in listed["items"]] == [alerts[0]["story_id"]] and listed["cursor"] is None
        story = listed["items"][0]
        assert "power_plant_strike" in story["event_types"] and story["articles"] == 2
        assert story["publishers"] == 1  # the same text from two outlets: one wire copy
        assert other.get("/v1/stories").json()["items"] == []  # not alerted on it
        assert [s["id"] for s in admin.get("/v1/stories").json()["items"]] == [story["id"]]
        assert acme.get("/v1/stories", params={"event_type": "power_plant_strike"}).json()["items"]
        assert acme.get("/v1/stories", params={"event_type": "protest"}).json()["items"] == []
        assert acme.get("/v1/stories", params={"since": "2999-01-01T00:00:00Z"}).json()["items"] == []

        detail = acme.get(f"/v1/stories/{story['id']}")
        assert detail.status_code == 200, detail.text
        got = detail.json()
        assert [m["article_id"] for m in got["members"]] == ["story-1", "story-2"]
        assert (
            got["members"][0]["title"] == title and got["members"][0]["url"] == "https://outlet-a.example/1"
        )
        assert got["events"]["counts"]["power_plant_strike"] >= 1
        assert all(e["type"] in got["events"]["counts"] for e in got["events"]["items"])
        assert [a["id"] for a in got["alerts"]] == [a["id"] for a in reversed(alerts)]
        assert other.get(f"/v1/stories/{story['id']}").status_code == 404
        assert acme.get("/v1/stories/sty_nope").status_code == 404


def test_story_queries_that_can_never_match_are_refused_with_a_hint(
    embedded_service: EmbeddedProcess,
) -> None:
    with embedded_service.client() as admin, embedded_service.client(None) as anonymous:
        assert anonymous.get("/v1/stories").status_code == 401
        for params, field, hint in (
            ({"region": "Ukraine"}, "query.region", "UA"),
            ({"region": "UA-99"}, "query.region", "UA"),
            ({"event_type": "power_plant_strikes"}, "query.event_type", "power_plant_strike"),
            ({"topic": "sports"}, "query.topic", "sport"),
            ({"cursor": "not-a-cursor"}, "query.cursor", None),
            ({"status": "failed"}, "query.status", None),
        ):
            r = admin.get("/v1/stories", params=params)
            assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", params
            error = r.json()["errors"][0]
            assert error["field"] == field, r.json()
            assert hint is None or hint in error["suggestion"], r.json()
