"""The embedded all-in-one end to end: article in over HTTP, a signed webhook out to a real receiver."""

from __future__ import annotations

from typing import Any

from standardwebhooks import Webhook

from tests.integration.embedded_process import EmbeddedProcess, Receiver, subscribe, wait_for

DELIVERED_WITHIN_S = 10.0
STORY = (
    "Missile strike knocks out power station near the harbour",
    "A missile struck the coastal power plant before dawn, the grid operator said.",
)


def article(n: int, source: str) -> dict[str, Any]:
    title, body = STORY
    return {"id": f"story-{n}", "source": source, "title": title, "body": body}


def test_one_signed_alert_per_story(embedded_service: EmbeddedProcess, hook_receiver: Receiver) -> None:
    with embedded_service.client() as admin:
        secret = subscribe(admin, hook_receiver.url, {"event_types": ["power_plant_strike"]})["secret"]
        assert admin.post("/v1/articles", json=article(1, "outlet-a")).status_code == 202

        (headers, body), *_ = wait_for(lambda: hook_receiver.received, DELIVERED_WITHIN_S, "the webhook")
        payload = Webhook(secret).verify(body, headers)  # raises unless the signature is valid
        assert payload["type"] == "story.detected"
        assert "power_plant_strike" in payload["data"]["event_types"]
        listed = wait_for(
            lambda: admin.get("/v1/alerts").json()["items"], DELIVERED_WITHIN_S, "GET /v1/alerts"
        )
        assert [a["id"] for a in listed] == [headers["webhook-id"]]

        # Another outlet's copy of the same story: processed, but no second story.detected.
        assert admin.post("/v1/articles", json=article(2, "outlet-b")).status_code == 202
        # Its analysis is stored after its alerts, so once it is visible the alert list is final.
        wait_for(lambda: admin.get("/v1/analyses/story-2").status_code == 200, DELIVERED_WITHIN_S, "analysis")
        assert [a["kind"] for a in admin.get("/v1/alerts").json()["items"]] == ["story.detected"]
    assert len([b for h, b in hook_receiver.received if b'"story.detected"' in b]) == 1
