"""docs/webhooks.md: its Python receiver verifies a real signed alert, and its facts match the code."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newswatch.alerts.subscriptions import new_secret
from newswatch.delivery.policy.schedule import DEFAULT_DELAYS
from newswatch.delivery.policy.signing import encode_body, signed_headers

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "webhooks.md"
EXAMPLE = ROOT / "schemas" / "examples" / "alert.v1.detected.json"


def python_block() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "the guide has one Python receiver"
    return blocks[0]


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], str]:
    secret = new_secret()
    monkeypatch.setenv("NEWSWATCH_WEBHOOK_SECRET", secret)
    namespace: dict[str, Any] = {"__name__": "webhooks_doc"}
    exec(compile(python_block(), str(DOC), "exec"), namespace)
    return namespace, secret


def signed(payload: dict[str, Any], secret: str, at: datetime | None = None) -> tuple[dict[str, str], bytes]:
    body = encode_body(payload)
    headers = signed_headers(secret, payload["data"]["alert_id"], body, at or datetime.now(UTC))
    return headers, body


def alert(revision: int = 0, alert_id: str = "alr_doc_0") -> dict[str, Any]:
    payload = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    payload["data"].update(revision=revision, alert_id=alert_id)
    return payload


def test_the_receiver_accepts_a_signed_alert_once(
    receiver: tuple[dict[str, Any], str], capsys: pytest.CaptureFixture[str]
) -> None:
    ns, secret = receiver
    headers, body = signed(alert(), secret)
    assert ns["handle"](headers, body) == 200
    assert "story.detected" in capsys.readouterr().out
    # The same webhook-id again (a retry or replay): acknowledged, not processed twice.
    assert ns["handle"](*signed(alert(), secret)) == 200
    assert capsys.readouterr().out == ""


def test_headers_in_any_case_verify(receiver: tuple[dict[str, Any], str]) -> None:
    ns, secret = receiver
    headers, body = signed(alert(), secret)
    assert ns["handle"]({k.title(): v for k, v in headers.items()}, body) == 200


@pytest.mark.parametrize(
    "spoil",
    [
        lambda h, b, s: (h, b.replace(b"Kharkiv", b"Kherson")),  # body changed after signing
        lambda h, b, s: (signed(alert(), new_secret())[0], b),  # signed with another secret
        lambda h, b, s: signed(alert(), s, datetime.now(UTC) - timedelta(minutes=10)),  # stale capture
        lambda h, b, s: ({k: v for k, v in h.items() if k != "webhook-signature"}, b),  # unsigned
    ],
    ids=["tampered", "other-secret", "stale", "unsigned"],
)
def test_the_receiver_refuses_what_is_not_ours(receiver: tuple[dict[str, Any], str], spoil: Any) -> None:
    ns, secret = receiver
    headers, body = signed(alert(), secret)
    assert ns["handle"](*spoil(headers, body, secret)) == 400


def test_an_older_revision_arriving_late_is_not_applied(
    receiver: tuple[dict[str, Any], str], capsys: pytest.CaptureFixture[str]
) -> None:
    ns, secret = receiver
    assert ns["handle"](*signed(alert(revision=2, alert_id="alr_doc_2"), secret)) == 200
    assert ns["handle"](*signed(alert(revision=1, alert_id="alr_doc_1"), secret)) == 200
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and " 2 " in printed[0]


def test_the_retry_table_is_the_schedule_in_the_code() -> None:
    row = next(line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| wait"))
    cells = [c.strip() for c in row.strip("|").split("|")[1:]]
    unit = {"s": 1, "min": 60, "h": 3600}
    seconds = [0.0 if c == "0" else float(c.split()[0]) * unit[c.split()[1]] for c in cells]
    assert tuple(seconds) == DEFAULT_DELAYS


def test_the_readme_links_the_guide() -> None:
    assert "docs/webhooks.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_receiver_applies_each_story_of_a_digest(
    receiver: tuple[dict[str, Any], str], capsys: pytest.CaptureFixture[str]
) -> None:
    ns, secret = receiver
    digest = json.loads((ROOT / "schemas" / "examples" / "alert.v1.digest.json").read_text(encoding="utf-8"))
    assert ns["handle"](*signed(digest, secret)) == 200
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in printed] == [
        [s["type"], s["story_id"]] for s in digest["data"]["stories"]
    ]
