"""Subscriptions as data: the schemas/subscription.v1 shape to and from records.

Pure apart from `new_secret`/`new_id` (randomness) and `load_file` (reads the
declarative subscriptions file once at start-up).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from newswatch.alerts.digest import BadInterval, format_interval, parse_interval
from newswatch.alerts.ports import Delivery, DeliveryMode, Filters, Subscription, TopicFilter, Webhook
from newswatch.contracts.schemas import schema_errors
from newswatch.domain.errors import InvalidMessage


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_id() -> str:
    return "sub_" + secrets.token_hex(8)


def validate(doc: Any) -> None:
    """Raise InvalidMessage listing every schema violation of a subscription document."""
    errors = schema_errors("subscription", doc)
    if errors:
        raise InvalidMessage("schema_invalid", errors[0]["message"], errors)


def filters_from_dict(d: Mapping[str, Any]) -> Filters:
    return Filters(
        event_types=tuple(d.get("event_types") or ()),
        topics=tuple(TopicFilter(t["id"], float(t.get("min_score", 0.0))) for t in d.get("topics") or ()),
        regions=tuple(r.upper() for r in d.get("regions") or ()),
        keywords=tuple(k.strip().lower() for k in d.get("keywords") or () if k.strip()),
        min_confidence=float(d.get("min_confidence", 0.0)),
        min_publishers=int(d.get("min_publishers", 1)),
    )


def filters_to_dict(f: Filters) -> dict[str, Any]:
    return {
        "event_types": list(f.event_types),
        "topics": [{"id": t.id, "min_score": t.min_score} for t in f.topics],
        "regions": list(f.regions),
        "keywords": list(f.keywords),
        "min_confidence": f.min_confidence,
        "min_publishers": f.min_publishers,
    }


def delivery_from_dict(d: Mapping[str, Any] | None) -> Delivery:
    """`{"mode": "digest", "interval": "1h"}` (or none: immediate). Raises digest.BadInterval."""
    if not d or d.get("mode", "immediate") == DeliveryMode.IMMEDIATE.value:
        return Delivery()
    return Delivery(DeliveryMode.DIGEST, parse_interval(str(d.get("interval") or "")))


def delivery_to_dict(d: Delivery) -> dict[str, Any]:
    if not d.is_digest:
        return {"mode": d.mode.value}
    return {"mode": d.mode.value, "interval": format_interval(d.interval_s)}


def from_dict(d: Mapping[str, Any], *, tenant: str | None = None) -> Subscription:
    """A record from a (validated) document; missing id/secret are generated."""
    hook = d["webhook"]
    created = d.get("created_at")
    return Subscription(
        id=d.get("id") or new_id(),
        tenant=tenant or d.get("tenant") or "default",
        name=d["name"],
        filters=filters_from_dict(d.get("filters") or {}),
        webhook=Webhook(hook["url"], dict(hook.get("headers") or {})),
        secret=d.get("secret") or new_secret(),
        enabled=bool(d.get("enabled", True)),
        created_at=datetime.fromisoformat(created) if created else None,
        group_wait=float(d.get("group_wait", 0.0)),
        repeat_interval=float(d.get("repeat_interval", 300.0)),
        previous_secret=d.get("previous_secret"),
        previous_secret_until=datetime.fromisoformat(until)
        if (until := d.get("previous_secret_until"))
        else None,
        delivery=delivery_from_dict(d.get("delivery")),
    )


def to_dict(s: Subscription, *, with_secret: bool = False) -> dict[str, Any]:
    """The API/storage shape; the secret only when asked (creation response, stores)."""
    d: dict[str, Any] = {
        "id": s.id,
        "tenant": s.tenant,
        "name": s.name,
        "filters": filters_to_dict(s.filters),
        "webhook": {"url": s.webhook.url, "headers": dict(s.webhook.headers)},
        "enabled": s.enabled,
        "group_wait": s.group_wait,
        "repeat_interval": s.repeat_interval,
        "delivery": delivery_to_dict(s.delivery),
    }
    if s.created_at is not None:
        d["created_at"] = s.created_at.isoformat()
    if with_secret:
        d["secret"] = s.secret
        if s.previous_secret and s.previous_secret_until is not None:  # stores only: never in the API
            d["previous_secret"] = s.previous_secret
            d["previous_secret_until"] = s.previous_secret_until.isoformat()
    return d


def as_update_of(new: Subscription, old: Subscription) -> Subscription:
    """`new` as the stored `old` updated: its tenant, secrets and creation time stay the stored ones
    (an update never moves a subscription to another tenant, nor changes its secret)."""
    return replace(
        new,
        tenant=old.tenant,
        secret=old.secret,
        previous_secret=old.previous_secret,
        previous_secret_until=old.previous_secret_until,
        created_at=old.created_at,
    )


def load_file(path: Path | str) -> list[Subscription]:
    """Subscriptions from a JSON or YAML file holding a list of subscription.v1 documents.

    Raises InvalidMessage naming the first bad entry; nothing is loaded then.
    """
    text = Path(path).read_text(encoding="utf-8")
    docs = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    if not isinstance(docs, list):
        raise InvalidMessage("schema_invalid", f"{path}: expected a list of subscriptions")
    subs = []
    for i, doc in enumerate(docs):
        try:
            validate(doc)
        except InvalidMessage as exc:
            raise InvalidMessage(exc.reason, f"{path}: entry {i}: {exc.detail}", exc.errors) from exc
        # A stable id, so restarting with the same file updates instead of duplicating.
        doc.setdefault(
            "id", "sub_" + hashlib.sha256(f"{doc.get('tenant')}|{doc['name']}".encode()).hexdigest()[:16]
        )
        try:
            subs.append(from_dict(doc))
        except BadInterval as exc:
            raise InvalidMessage(
                "schema_invalid", f"{path}: entry {i}: delivery.interval: {exc}; {exc.hint}"
            ) from exc
    return subs
