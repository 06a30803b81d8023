"""`/v1/subscriptions`: CRUD, replay and test, each tenant seeing only its own (the admin all).

Bodies follow schemas/subscription.v1 (validated with it, so the API and the
declarative file accept exactly the same documents). The signing secret is in
the 201 response of POST only. Webhook URLs pass the SSRF guard when saved.
Another tenant's subscription answers 404, not 403, so ids do not leak; for the
same reason an id chosen by a tenant key is scoped to its tenant (`x` is stored as
`<tenant>:x`), so creating one never collides with, or reveals, another tenant's.
Filters must be able to match (api/filters.py): unknown regions, topics and event
types are refused with the closest valid value.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from newswatch.alerts import subscriptions as codec
from newswatch.alerts.digest import BadInterval, parse_interval
from newswatch.alerts.handoff import to_record
from newswatch.alerts.payload import test_payload
from newswatch.alerts.ports import AlertKind, AlertStatus, Subscription
from newswatch.api.auth import ADMIN_TENANT, Principal, principal
from newswatch.api.deps import ServicesDep
from newswatch.api.filters import event_types, filter_errors, topics
from newswatch.api.problems import Problem, ProblemRoute, field_error
from newswatch.compose import Services
from newswatch.contracts.schemas import schema_errors
from newswatch.delivery.policy.ssrf import UnsafeWebhookURL, check_url, hint
from newswatch.domain.outcome import AlertDraft

router = APIRouter(tags=["subscriptions"], route_class=ProblemRoute)
Caller = Annotated[Principal, Depends(principal)]
MAX_ID = 64
DEFAULT_OVERLAP_S = 86_400.0
MAX_OVERLAP_S = 7 * 86_400.0
EventType = Annotated[str, Field(json_schema_extra={"enum": list(event_types())})]
TopicId = Annotated[str, Field(json_schema_extra={"enum": list(topics())})]
Region = Annotated[
    str,
    Field(
        description="ISO 3166-1 alpha-2 (`UA`) or ISO 3166-2 (`UA-63`) code that exists.",
        json_schema_extra={"pattern": "^[A-Z]{2}(-[A-Z0-9]{1,3})?$"},
        examples=["UA"],
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TopicIn(_Strict):
    id: TopicId
    min_score: float = Field(default=0.0, ge=0, le=1)


class FiltersIn(_Strict):
    """All given dimensions must match; any value within one. `UA` matches `UA-63`."""

    event_types: list[EventType] = Field(default=[], examples=[["power_plant_strike"]])
    topics: list[TopicIn] = Field(default=[], examples=[[{"id": "conflict", "min_score": 0.5}]])
    regions: list[Region] = Field(default=[], examples=[["UA"]])
    keywords: list[Annotated[str, Field(min_length=1, max_length=100)]] = []
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    min_publishers: int = Field(
        default=1, ge=1, le=1000, description="Independent publishers needed (wire copies count once)."
    )


class WebhookIn(_Strict):
    url: str = Field(
        max_length=2048,
        pattern="^https?://",
        description="Must resolve to a public address (see NEWSWATCH_WEBHOOK_ALLOW_PRIVATE).",
        examples=["https://hooks.example.com/newswatch"],
    )
    headers: dict[str, Annotated[str, Field(max_length=1024)]] = Field(default={}, max_length=20)


class DeliveryIn(_Strict):
    """`immediate`: one webhook per alert. `digest`: one webhook per `interval` with that period's
    stories (none for an empty period); periods are aligned to UTC (1h: on the hour, 1d: midnight)."""

    mode: Literal["immediate", "digest"] = "immediate"
    interval: str | None = Field(
        default=None,
        description='Digest only, from 5m to 24h: "30m", "1h", "1d" or ISO 8601 ("PT30M", "P1D").',
        examples=["1h"],
    )


class SubscriptionIn(_Strict):
    """schemas/subscription.v1 (server-assigned fields left out)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Strikes on power plants in Ukraine",
                    "filters": {"event_types": ["power_plant_strike"], "regions": ["UA"]},
                    "webhook": {"url": "https://hooks.example.com/newswatch"},
                }
            ]
        },
    )

    id: str | None = Field(
        default=None,
        description="Optional. A tenant key's ids are scoped to its tenant: `x` is stored as `<tenant>:x`.",
        json_schema_extra={"pattern": "^[A-Za-z0-9_.:-]{1,64}$"},
    )
    tenant: str | None = Field(
        default=None, min_length=1, max_length=128, description="Admin only; a tenant key creates for itself."
    )
    name: str = Field(min_length=1, max_length=200)
    filters: FiltersIn = FiltersIn()
    webhook: WebhookIn
    enabled: bool = True
    group_wait: float = Field(
        default=0.0, ge=0, le=86400, description="Seconds to hold a story's first alert."
    )
    repeat_interval: float = Field(
        default=300.0, ge=0, le=604800, description="Minimum seconds between alerts about one story."
    )
    delivery: DeliveryIn = DeliveryIn()


class SubscriptionPatch(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    filters: FiltersIn | None = None
    webhook: WebhookIn | None = None
    enabled: bool | None = None
    group_wait: float | None = Field(default=None, ge=0, le=86400)
    repeat_interval: float | None = Field(default=None, ge=0, le=604800)
    delivery: DeliveryIn | None = None


def _validate(doc: Any) -> None:
    """Filters that can never match first (with suggestions), then the schema's own rules."""
    found = filter_errors(doc.get("filters") or {}) if isinstance(doc, dict) else []
    found += delivery_errors(doc.get("delivery") if isinstance(doc, dict) else None)
    if not found:
        found = [
            field_error("body" + e["path"].removeprefix("$"), e["message"])
            for e in schema_errors("subscription", doc)
        ]
    if found:
        first = found[0]
        detail = f"{first['field']}: {first['message']}"
        if first.get("suggestion"):
            detail += f"; {first['suggestion']}"
        raise Problem(422, detail, kind="invalid-subscription", errors=found)


def delivery_errors(delivery: Any) -> list[dict[str, Any]]:
    """The digest interval must be given, readable and within bounds (the schema checks its shape)."""
    if not isinstance(delivery, dict):
        return []
    interval, digest = delivery.get("interval"), delivery.get("mode") == "digest"
    if not digest:
        if interval is None:
            return []
        message = "an interval is for digest delivery only"
        return [field_error("body.delivery.interval", message, 'add "mode": "digest", or leave interval out')]
    if interval is None:
        message = "digest delivery needs an interval"
        return [field_error("body.delivery.interval", message, 'e.g. "interval": "1h"')]
    try:
        parse_interval(str(interval))
    except BadInterval as exc:
        return [field_error("body.delivery.interval", str(exc), exc.hint)]
    return []


def _check_webhook(services: Services, url: str) -> None:
    try:
        check_url(url, services.settings.delivery.ssrf)
    except UnsafeWebhookURL as exc:
        advice = hint(exc.reason)
        raise Problem(
            422,
            f"webhook URL refused ({exc.reason}): {exc.detail}; {advice}",
            kind="webhook-url-refused",
            errors=[field_error("body.webhook.url", f"{exc.reason}: {exc.detail}", advice)],
            reason=exc.reason,
        ) from exc


def _owned(services: Services, caller: Principal, sub_id: str) -> Subscription:
    sub = services.subscriptions.get(sub_id)
    if sub is None or not caller.may_see(sub.tenant):
        raise Problem(404, f"no subscription {sub_id}")
    return sub


def scoped_id(requested: str | None, caller: Principal) -> str:
    """The stored id: a tenant key's own ids carry its tenant, so tenants never share an id space."""
    if requested is None:
        return codec.new_id()
    if caller.admin or requested.startswith(f"{caller.tenant}:"):
        return requested
    scoped = f"{caller.tenant}:{requested}"
    if len(scoped) > MAX_ID:
        raise Problem(
            422,
            f"id too long once scoped to the tenant ({scoped!r} has {len(scoped)} characters)",
            errors=[
                field_error(
                    "body.id",
                    f"stored as {scoped!r}, over {MAX_ID} characters",
                    f"use at most {MAX_ID - len(caller.tenant) - 1} characters, or leave it out",
                )
            ],
        )
    return scoped


@router.post("/v1/subscriptions", status_code=status.HTTP_201_CREATED, responses={403: {}, 409: {}, 503: {}})
def create_subscription(services: ServicesDep, caller: Caller, data: SubscriptionIn) -> dict[str, Any]:
    """Create a subscription; the response carries its `id` and signing `secret` (shown only here).

    A tenant key always creates for its own tenant; the admin may name a `tenant`.
    """
    body = data.model_dump(exclude_none=True)
    _validate(body)
    if not caller.admin and body.get("tenant", caller.tenant) != caller.tenant:
        raise Problem(403, "a tenant key creates subscriptions for its own tenant: leave `tenant` out")
    tenant = (body.get("tenant") or caller.tenant) if caller.admin else caller.tenant
    _check_webhook(services, body["webhook"]["url"])
    sub = codec.from_dict({**body, "id": scoped_id(body.get("id"), caller)}, tenant=tenant or ADMIN_TENANT)
    created = services.subscriptions.create(sub)  # AlreadyExists: 409 (api.problems)
    return codec.to_dict(created, with_secret=True)


@router.get("/v1/subscriptions", responses={503: {}})
def list_subscriptions(services: ServicesDep, caller: Caller) -> dict[str, list[dict[str, Any]]]:
    """The caller's subscriptions (every tenant's for the admin), oldest first; no secrets."""
    subs = services.subscriptions.list_by_tenant(None if caller.admin else caller.tenant)
    return {"items": [codec.to_dict(s) for s in subs]}


@router.get("/v1/subscriptions/{sub_id}", responses={404: {}, 503: {}})
def get_subscription(sub_id: str, services: ServicesDep, caller: Caller) -> dict[str, Any]:
    return codec.to_dict(_owned(services, caller, sub_id))


@router.patch("/v1/subscriptions/{sub_id}", responses={404: {}, 503: {}})
def patch_subscription(
    sub_id: str, services: ServicesDep, caller: Caller, data: SubscriptionPatch
) -> dict[str, Any]:
    """Change some fields: top-level ones replace, `filters` keys merge; id, tenant and secret stay."""
    old = _owned(services, caller, sub_id)
    body = data.model_dump(exclude_unset=True)
    doc = codec.to_dict(old)
    filters = {**doc["filters"], **(body.get("filters") or {})}
    doc = {**doc, **body, "filters": filters}
    _validate(doc)
    if doc["webhook"]["url"] != old.webhook.url:
        _check_webhook(services, doc["webhook"]["url"])
    updated = services.subscriptions.update(replace(codec.from_dict(doc), secret=old.secret))
    if updated is None:
        raise Problem(404, f"no subscription {sub_id}")
    return codec.to_dict(updated)


@router.delete(
    "/v1/subscriptions/{sub_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}, 503: {}}
)
def delete_subscription(sub_id: str, services: ServicesDep, caller: Caller) -> Response:
    _owned(services, caller, sub_id)
    services.subscriptions.delete(sub_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class Replay(BaseModel):
    since: AwareDatetime = Field(
        description="Alerts created at or after this time (RFC 3339, with a timezone).",
        examples=["2026-01-31T12:00:00Z"],
    )

    @field_validator("since", mode="before")
    @classmethod
    def _rfc3339(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value[:4].isdigit() or "T" not in value.upper():
            raise ValueError("send an RFC 3339 time with a timezone, e.g. 2026-01-31T12:00:00Z")
        return value

    only_failed: bool = Field(True, description="Only failed, exhausted or disabled alerts; false: all.")


class Replayed(BaseModel):
    replayed: int
    alert_ids: list[str]


@router.post(
    "/v1/subscriptions/{sub_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Replayed,
    responses={404: {}, 503: {}},
)
def replay(sub_id: str, body: Replay, services: ServicesDep, caller: Caller) -> Replayed:
    """Deliver past alerts again; receivers see the same `webhook-id` as the first time."""
    if body.since.tzinfo is None:
        raise Problem(
            422, "`since` needs a timezone", errors=[field_error("body.since", "no timezone", "append Z")]
        )
    _owned(services, caller, sub_id)
    alerts = services.alerts.for_replay(sub_id, body.since, body.only_failed)
    for a in alerts:
        services.alerts.set_status(a.id, AlertStatus.PENDING)
        services.dispatcher.enqueue(a.id)
    return Replayed(replayed=len(alerts), alert_ids=[a.id for a in alerts])


@router.post(
    "/v1/subscriptions/{sub_id}/test", status_code=status.HTTP_202_ACCEPTED, responses={404: {}, 503: {}}
)
def send_test(sub_id: str, services: ServicesDep, caller: Caller) -> dict[str, str]:
    """Queue a signed `subscription.test` event to the webhook; follow it in /v1/deliveries."""
    sub = _owned(services, caller, sub_id)
    payload = test_payload(sub, services.clock())
    draft = AlertDraft(payload["data"]["alert_id"], sub.id, AlertKind.TEST.value, payload)
    services.alerts.put(to_record(draft, sub.tenant, services.clock()))
    services.dispatcher.enqueue(draft.id)
    return {"alert_id": draft.id}


class Rotate(_Strict):
    overlap: float = Field(
        default=DEFAULT_OVERLAP_S,
        ge=0,
        le=MAX_OVERLAP_S,
        description="Seconds during which deliveries carry signatures by both the new and the old secret.",
    )


class Rotated(BaseModel):
    id: str
    secret: str = Field(description="The new signing secret. Shown once.")
    previous_secret_expires_at: datetime = Field(
        description="Until then each delivery is signed with both secrets (two space-separated signatures)."
    )


@router.post("/v1/subscriptions/{sub_id}/rotate-secret", response_model=Rotated, responses={404: {}, 503: {}})
def rotate_secret(
    sub_id: str, services: ServicesDep, caller: Caller, body: Annotated[Rotate | None, Body()] = None
) -> Rotated:
    """Replace the signing secret. During `overlap` seconds (default one day) every delivery is signed
    with both, so receivers can switch to the new secret at any moment within it without failing a
    verification; afterwards only the new one signs."""
    _owned(services, caller, sub_id)
    overlap = (body or Rotate()).overlap
    until = services.clock() + timedelta(seconds=overlap)
    rotated = services.subscriptions.rotate_secret(sub_id, codec.new_secret(), until)
    if rotated is None:
        raise Problem(404, f"no subscription {sub_id}")
    return Rotated(id=rotated.id, secret=rotated.secret, previous_secret_expires_at=until)
