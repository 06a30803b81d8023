"""The embedded alerts path (subscriptions, stories, delivery) on a real `newswatch run`,
with a real signature-verifying receiver.

Subscribe, post an article about a missile strike on a power station in Kharkiv
oblast, and the receiver gets one signed `story.detected`; another outlet's copy
of the same story adds no second alert; replay redelivers with the same webhook-id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from newswatch.contracts.schemas import schema_errors
from tests.integration.embedded_process import EmbeddedProcess, wait_for
from tests.integration.test_delivery_helpers import Receiver, receiver_factory

DELIVERED_WITHIN_S = 5.0
EVIDENCE = (
    "A Russian missile struck a thermal power station in Kharkiv oblast early on Wednesday, "
    "regional officials said."
)
BODY = (
    f"{EVIDENCE} Firefighters spent hours putting out the blaze at the plant, "
    "and several neighbourhoods lost electricity."
)
TITLE = "Missile strike knocks out power station in Kharkiv region"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedProcess]:
    svc = EmbeddedProcess(tmp_path_factory.mktemp("alerts"), {"NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "1"}).start()
    yield svc
    assert svc.stop() == 0


@pytest.fixture(scope="module")
def receiver() -> Iterator[Callable[..., Receiver]]:
    yield from receiver_factory()


@pytest.fixture
def admin(service: EmbeddedProcess) -> Iterator[httpx.Client]:
    with service.client() as c:
        yield c


def subscribe(admin: httpx.Client, hook: Receiver, filters: dict[str, Any]) -> dict[str, Any]:
    r = admin.post(
        "/v1/subscriptions", json={"name": "kharkiv power", "filters": filters, "webhook": {"url": hook.url}}
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    hook.secret = body["secret"]  # the receiver verifies with the secret returned once
    return body


def post_article(admin: httpx.Client, art_id: str, source: str) -> None:
    doc = {
        "id": art_id,
        "title": TITLE,
        "body": BODY,
        "source": source,
        "url": f"https://{source}.example/{art_id}",
    }
    r = admin.post("/v1/articles", json=doc)
    assert r.status_code == 202, r.text


def _detected(hook: Receiver) -> list[dict[str, Any]]:
    return [g.verified for g in hook.got if g.verified and g.verified["type"] == "story.detected"]


def _run_contract(admin: httpx.Client, hook: Receiver, filters: dict[str, Any], tag: str) -> dict[str, Any]:
    sub = subscribe(admin, hook, filters)
    post_article(admin, f"{tag}-1", "first-outlet")
    arrived = hook.wait_for(1, DELIVERED_WITHIN_S)
    assert arrived, f"no webhook within {DELIVERED_WITHIN_S}s"
    got = arrived[0]
    assert got.verified is not None, "signature did not verify with the subscription's secret"
    body = got.verified
    assert body["type"] == "story.detected" and schema_errors("alert", body) == []
    assert got.headers["webhook-id"] == body["data"]["alert_id"]
    assert "power_plant_strike" in body["data"]["event_types"]
    # The engine picks the sentence (the headline or the body's); the payload must carry it.
    said = {e["evidence"]["sentence"] for e in body["data"]["events"] if e["type"] == "power_plant_strike"}
    assert said and said <= {TITLE, EVIDENCE}
    listed = admin.get("/v1/alerts", params={"subscription_id": sub["id"]}).json()["items"]
    assert [a["id"] for a in listed] == [body["data"]["alert_id"]]
    post_article(admin, f"{tag}-2", "second-outlet")  # another outlet's copy of the same story
    # Its analysis is stored after the alerts it produced, and the copy joined the first story:
    # no second story exists to be detected, so no second story.detected can ever come.
    wait_for(lambda: admin.get(f"/v1/analyses/{tag}-2").status_code == 200, 10, "the copy analysed")
    story = admin.get(f"/v1/stories/{body['data']['story_id']}").json()
    assert {f"{tag}-1", f"{tag}-2"} <= {m["article_id"] for m in story["members"]}
    assert len(_detected(hook)) == 1
    return {"sub": sub, "body": body}


def test_embedded_contract_with_event_type_and_region(
    admin: httpx.Client, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver(200)
    found = _run_contract(admin, hook, {"event_types": ["power_plant_strike"], "regions": ["UA"]}, "contract")
    data = found["body"]["data"]
    assert "UA-63" in data["regions"] or data["location"]["subdivision"] == "UA-63"


def test_replay_and_test_reach_the_receiver_signed(
    admin: httpx.Client, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver(200)
    found = _run_contract(admin, hook, {"event_types": ["power_plant_strike"]}, "replay")
    sid, first_id = found["sub"]["id"], found["body"]["data"]["alert_id"]
    r = admin.post(
        f"/v1/subscriptions/{sid}/replay", json={"since": "2000-01-01T00:00:00Z", "only_failed": False}
    )
    assert r.status_code == 202 and r.json()["alert_ids"] == [first_id]
    assert admin.post(f"/v1/subscriptions/{sid}/test").status_code == 202
    got = hook.wait_for(3, DELIVERED_WITHIN_S)
    assert [g.headers["webhook-id"] for g in got[:2]] == [first_id, first_id]
    assert all(g.verified is not None for g in got) and got[2].verified["type"] == "subscription.test"
