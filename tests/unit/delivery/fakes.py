"""In-memory stand-ins for the alert/subscription stores and the HTTP sender (unit tests only)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newswatch.alerts.ports import AlertRecord, Filters, Subscription, Webhook
from newswatch.delivery.policy.classify import Result
from newswatch.delivery.sender import Sent

SECRET = "whsec_" + base64.b64encode(b"delivery-unit-secret-0123456789").decode()
EXAMPLE = Path(__file__).resolve().parents[3] / "schemas" / "examples" / "alert.v1.detected.json"


def subscription(sub_id: str = "sub_1", url: str = "http://127.0.0.1:9/hook", **kw: Any) -> Subscription:
    fields: dict[str, Any] = {"tenant": "t1", "name": "n", "filters": Filters(), "secret": SECRET}
    fields.update(kw)
    return Subscription(id=sub_id, webhook=Webhook(url), **fields)


def alert(alert_id: str = "alt_1", sub_id: str = "sub_1", tenant: str = "t1") -> AlertRecord:
    payload = json.loads(EXAMPLE.read_text())
    payload["data"].update(alert_id=alert_id, subscription_id=sub_id)
    return AlertRecord(
        alert_id, sub_id, tenant, "story.detected", "sty_1", 0, payload, created_at=datetime.now(UTC)
    )


class MemoryAlerts:
    def __init__(self, *alerts: AlertRecord) -> None:
        self.items = {a.id: a for a in alerts}

    def get(self, alert_id: str) -> AlertRecord | None:
        return self.items.get(alert_id)

    def set_status(self, alert_id: str, status: str) -> bool:
        if alert_id not in self.items:
            return False
        self.items[alert_id] = replace(self.items[alert_id], status=status)
        return True


class MemorySubscriptions:
    def __init__(self, *subs: Subscription) -> None:
        self.items = {s.id: s for s in subs}

    def get(self, sub_id: str) -> Subscription | None:
        return self.items.get(sub_id)

    def set_enabled(self, sub_id: str, enabled: bool) -> bool:
        if sub_id not in self.items:
            return False
        self.items[sub_id] = replace(self.items[sub_id], enabled=enabled)
        return True


@dataclass
class ScriptedSender:
    """Answers with the scripted results in order (the last one repeats) and records requests."""

    results: list[Result]
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)

    def post(self, url: str, address: str, headers: dict[str, str], body: bytes) -> Sent:
        self.requests.append((url, address, headers, body))
        result = self.results[min(len(self.requests), len(self.results)) - 1]
        return Sent(result, 0.005)

    def close(self) -> None:
        pass


class Clock:
    """A settable clock: tests move time instead of sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
