"""`/v1/subscriptions`: CRUD, replay and test, each tenant seeing only its own (the admin all).

Bodies follow schemas/subscription.v1 (validated with it, so the API and the
declarative file accept exactly the same documents). The signing secret is in
the 201 response of POST only. Webhook URLs pass the SSRF guard when saved.
Another tenant's subscription answers 404, not 403, so ids do not leak.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from newswatch.alerts import subscriptions as codec
from newswatch.alerts.handoff import to_record
from newswatch.alerts.payload import test_payload
from newswatch.alerts.ports import AlertKind, AlertStatus, Subscription
from newswatch.api.auth import ADMIN_TENANT, Principal, principal
from newswatch.contracts.schemas import schema_errors
from newswatch.delivery.policy.ssrf import UnsafeWebhookURL, check_url
from newswatch.domain.outcome import AlertDraft

router = APIRouter(tags=["subscriptions"])
Caller = Annotated[Principal, Depends(principal)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TopicIn(_Strict):
    id: str
    min_score: float = 0.0


class FiltersIn(_Strict):
    """All given dimensions must match; any value within one. `UA` matches `UA-63`."""

    event_types: list[str] = []
    topics: list[TopicIn] = []
    regions: list[str] = []
    keywords: list[str] = []
    min_confidence: float = 0.0
    min_publishers: int = Field(
        default=1, description="Independent publishers needed (wire copies count once)."
    )


class WebhookIn(_Strict):
    url: str
    headers: dict[str, str] = {}


class SubscriptionIn(_Strict):
    """schemas/subscription.v1 (server-assigned fields left out)."""

    id: str | None = None
    tenant: str | None = Field(None, description="Admin only; a tenant key creates for itself.")
    name: str
    filters: FiltersIn = FiltersIn()
    webhook: WebhookIn
    enabled: bool = True
    group_wait: float = Field(0.0, description="Seconds to hold a story's first alert.")
    repeat_interval: float = Field(300.0, description="Minimum seconds between alerts about one story.")


class SubscriptionPatch(_Strict):
    name: str | None = None
    filters: FiltersIn | None = None
    webhook: WebhookIn | None = None
    enabled: bool | None = None
    group_wait: float | None = None
    repeat_interval: float | None = None


def _services(request: Request) -> Any:
    services = request.app.state.services
    if services.subscriptions is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "alerts are not configured")
    return services


def _validate(doc: Any) -> None:
    errors = schema_errors("subscription", doc)
    if errors:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, {"message": "invalid subscription", "errors": errors}
        )


def _check_webhook(services: Any, url: str) -> None:
    try:
        check_url(url, services.settings.delivery.ssrf)
    except UnsafeWebhookURL as exc:
        detail = {"message": "webhook URL refused", "reason": exc.reason, "detail": exc.detail}
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from exc


def _owned(services: Any, caller: Principal, sub_id: str) -> Subscription:
    sub = services.subscriptions.get(sub_id)
    if sub is None or not caller.may_see(sub.tenant):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no subscription {sub_id}")
    return sub


@router.post("/v1/subscriptions", status_code=status.HTTP_201_CREATED)
def create_subscription(request: Request, caller: Caller, data: SubscriptionIn) -> dict[str, Any]:
    """Create a subscription; the response carries its `id` and signing `secret` (shown only here).

    A tenant key always creates for its own tenant; the admin may name a `tenant`.
    """
    services = _services(request)
    body = data.model_dump(exclude_none=True)
    _validate(body)
    if not caller.admin and body.get("tenant", caller.tenant) != caller.tenant:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "a tenant key creates subscriptions for its own tenant"
        )
    tenant = (body.get("tenant") or caller.tenant) if caller.admin else caller.tenant
    _check_webhook(services, body["webhook"]["url"])
    sub = codec.from_dict({**body, "id": body.get("id") or codec.new_id()}, tenant=tenant or ADMIN_TENANT)
    try:
        created = services.subscriptions.create(sub)
    except KeyError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"subscription {sub.id} exists") from exc
    return codec.to_dict(created, with_secret=True)


@router.get("/v1/subscriptions")
def list_subscriptions(request: Request, caller: Caller) -> dict[str, list[dict[str, Any]]]:
    """The caller's subscriptions (every tenant's for the admin), oldest first; no secrets."""
    subs = _services(request).subscriptions.list_by_tenant(None if caller.admin else caller.tenant)
    return {"items": [codec.to_dict(s) for s in subs]}


@router.get("/v1/subscriptions/{sub_id}")
def get_subscription(sub_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    return codec.to_dict(_owned(_services(request), caller, sub_id))


@router.patch("/v1/subscriptions/{sub_id}")
def patch_subscription(
    sub_id: str, request: Request, caller: Caller, data: SubscriptionPatch
) -> dict[str, Any]:
    """Change some fields: top-level ones replace, `filters` keys merge; id, tenant and secret stay."""
    services = _services(request)
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
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no subscription {sub_id}")
    return codec.to_dict(updated)


@router.delete("/v1/subscriptions/{sub_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_subscription(sub_id: str, request: Request, caller: Caller) -> Response:
    services = _services(request)
    _owned(services, caller, sub_id)
    services.subscriptions.delete(sub_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class Replay(BaseModel):
    since: datetime = Field(description="Alerts created at or after this time (with a timezone).")
    only_failed: bool = Field(True, description="Only failed, exhausted or disabled alerts; false: all.")


class Replayed(BaseModel):
    replayed: int
    alert_ids: list[str]


@router.post(
    "/v1/subscriptions/{sub_id}/replay", status_code=status.HTTP_202_ACCEPTED, response_model=Replayed
)
def replay(sub_id: str, body: Replay, request: Request, caller: Caller) -> Replayed:
    """Deliver past alerts again; receivers see the same `webhook-id` as the first time."""
    if body.since.tzinfo is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "`since` needs a timezone (e.g. Z)")
    services = _services(request)
    _owned(services, caller, sub_id)
    alerts = services.alerts.for_replay(sub_id, body.since, body.only_failed)
    for a in alerts:
        services.alerts.set_status(a.id, AlertStatus.PENDING.value)
        services.dispatcher.enqueue(a.id)
    return Replayed(replayed=len(alerts), alert_ids=[a.id for a in alerts])


@router.post("/v1/subscriptions/{sub_id}/test", status_code=status.HTTP_202_ACCEPTED)
def send_test(sub_id: str, request: Request, caller: Caller) -> dict[str, str]:
    """Queue a signed `subscription.test` event to the webhook; follow it in /v1/deliveries."""
    services = _services(request)
    sub = _owned(services, caller, sub_id)
    payload = test_payload(sub, services.clock())
    draft = AlertDraft(payload["data"]["alert_id"], sub.id, AlertKind.TEST.value, payload)
    services.alerts.put(to_record(draft, sub.tenant, services.clock()))
    services.dispatcher.enqueue(draft.id)
    return {"alert_id": draft.id}
