"""The webhook body (schemas/alert.v1) and the stable alert id."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from newswatch.alerts.ports import Subscription

ALERT_VERSION = "1"
MAX_ARTICLES = 20  # newest kept; `truncated` says when some were cut
MAX_EVENTS = 10


def alert_id(subscription_id: str, story_id: str, revision: int) -> str:
    """Stable for (subscription, story, revision): replays and redeliveries carry the same webhook-id."""
    digest = hashlib.sha256(f"{subscription_id}|{story_id}|{revision}".encode()).hexdigest()
    return "alr_" + digest[:24]


def build(
    kind: str,
    sub: Subscription,
    facts: dict[str, Any],
    revision: int,
    changes: tuple[str, ...],
    now: datetime,
    matched: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`matched` (alerts/explain.py) says which filter values matched, and on which event/article."""
    articles, events = facts["articles"], facts["events"]
    truncated = len(articles) > MAX_ARTICLES or len(events) > MAX_EVENTS
    data = {
        "alert_id": alert_id(sub.id, facts["story_id"], revision),
        "subscription_id": sub.id,
        "subscription_name": sub.name,
        "revision": revision,
        **{k: v for k, v in facts.items() if k not in ("articles", "events", "location")},
        "location": facts["location"] or {"country": None, "subdivision": None, "place": None},
        "events": events[:MAX_EVENTS],
        "articles": articles[-MAX_ARTICLES:],
        "articles_total": len(articles),
        "changes": list(changes),
        "matched": matched if matched is not None else {},
    }
    return {
        "version": ALERT_VERSION,
        "type": kind,
        "timestamp": iso(now),
        "truncated": truncated,
        "data": data,
    }


def test_payload(sub: Subscription, now: datetime) -> dict[str, Any]:
    """The body of POST /v1/subscriptions/{id}/test (a fresh id each time: tests are not deduplicated)."""
    digest = hashlib.sha256(f"{sub.id}|test|{now.isoformat()}".encode()).hexdigest()
    data = {"alert_id": "tst_" + digest[:24], "subscription_id": sub.id, "message": "newswatch test event"}
    return {"version": ALERT_VERSION, "type": "subscription.test", "timestamp": iso(now), "data": data}


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")
