"""End to end in embedded mode: stories whose key events are told late still alert.

The spec's worked example (paraphrased) and a long report telling its plant strikes and
blackout in the fourth paragraph under a fresh anchor of their own: both must reach a
subscriber to power-plant strikes in Kharkiv oblast as a signed `story.detected` webhook.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from tests.integration.embedded_process import EmbeddedProcess, Receiver, subscribe, wait_for

FIXTURES = Path(__file__).parents[1] / "fixtures/analysis"
DELIVERED_WITHIN_S = 15.0


@pytest.mark.parametrize("fixture", ["worked_example.json", "fourth_paragraph.json"])
def test_late_told_plant_strikes_alert(
    embedded_service: EmbeddedProcess, hook_receiver: Receiver, fixture: str
) -> None:
    article = json.loads((FIXTURES / fixture).read_text("utf-8"))["article"]
    with embedded_service.client() as admin:
        filters = {"event_types": ["power_plant_strike"], "regions": ["UA-63"]}
        secret = subscribe(admin, hook_receiver.url, filters, "kharkiv grid")["secret"]
        assert admin.post("/v1/articles", json={**article, "source": "outlet-a"}).status_code == 202
        (headers, body), *_ = wait_for(lambda: hook_receiver.received, DELIVERED_WITHIN_S, "the webhook")
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "story.detected"
    assert "power_plant_strike" in payload["data"]["event_types"]
