"""Rotating a subscription's signing secret over HTTP, checked by a real receiver on 127.0.0.1.

During the overlap each delivery carries two Standard Webhooks signatures (new and old secret),
so a receiver verifying with either accepts it; after the overlap only the new secret signs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from newswatch import compose
from newswatch.config import Settings
from tests.integration.api_server import serve
from tests.integration.embedded_process import Received, Receiver

ADMIN = "rotation-admin-token"


@dataclass
class Env:
    api: httpx.Client
    receiver: Receiver
    url: str


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    settings = Settings.from_env(
        {
            "NEWSWATCH_DATA_DIR": str(tmp_path),
            "NEWSWATCH_ADMIN_TOKEN": ADMIN,
            "NEWSWATCH_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on loopback
        }
    )
    services = compose.build(settings)
    receiver = Receiver()
    with (
        serve(services) as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {ADMIN}"}) as c,
    ):
        yield Env(c, receiver, url)
    receiver.close()
    services.close()


def verifies(secret: str, got: Received) -> bool:
    try:
        Webhook(secret).verify(got.body, got.headers)
    except WebhookVerificationError:
        return False
    return True


def send_test(env: Env, sub_id: str) -> Received:
    r = env.api.post(f"/v1/subscriptions/{sub_id}/test")
    assert r.status_code == 202, r.text
    got = env.receiver.next()
    assert got.headers["webhook-id"] == r.json()["alert_id"]
    return got


def test_both_secrets_sign_during_the_overlap_then_only_the_new_one(env: Env) -> None:
    made = env.api.post("/v1/subscriptions", json={"name": "rot", "webhook": {"url": env.receiver.url}})
    assert made.status_code == 201, made.text
    sub_id, first = made.json()["id"], made.json()["secret"]
    before = send_test(env, sub_id)
    assert len(before.headers["webhook-signature"].split()) == 1 and verifies(first, before)

    rotated = env.api.post(f"/v1/subscriptions/{sub_id}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["secret"]
    assert second.startswith("whsec_") and second != first and rotated.json()["previous_secret_expires_at"]
    assert "secret" not in env.api.get(f"/v1/subscriptions/{sub_id}").json()
    # a PATCH during the overlap keeps both secrets
    assert env.api.patch(f"/v1/subscriptions/{sub_id}", json={"name": "rot2"}).status_code == 200
    during = send_test(env, sub_id)
    assert len(during.headers["webhook-signature"].split()) == 2
    assert verifies(first, during) and verifies(second, during)  # old and new receivers both accept

    ended = env.api.post(f"/v1/subscriptions/{sub_id}/rotate-secret", json={"overlap": 0})
    assert ended.status_code == 200, ended.text
    third = ended.json()["secret"]
    after = send_test(env, sub_id)
    assert len(after.headers["webhook-signature"].split()) == 1
    assert verifies(third, after) and not verifies(second, after) and not verifies(first, after)


def test_only_the_owner_rotates_and_the_overlap_is_bounded(env: Env) -> None:
    sub_id = env.api.post(
        "/v1/subscriptions", json={"name": "own", "tenant": "rot-a", "webhook": {"url": env.receiver.url}}
    ).json()["id"]
    key_b = env.api.post("/v1/api-keys", json={"tenant": "rot-b"}).json()["key"]
    with httpx.Client(base_url=env.url, headers={"Authorization": f"Bearer {key_b}"}) as b:
        assert b.post(f"/v1/subscriptions/{sub_id}/rotate-secret").status_code == 404
    too_long = env.api.post(f"/v1/subscriptions/{sub_id}/rotate-secret", json={"overlap": 10**9})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "body.overlap"
    assert env.api.post("/v1/subscriptions/nope/rotate-secret").status_code == 404
