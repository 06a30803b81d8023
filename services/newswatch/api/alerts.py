"""`GET /v1/alerts`: planned alerts (with their webhook bodies), newest first, the caller's tenant only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from newswatch.alerts.ports import AlertRecord
from newswatch.api.auth import Principal, principal

router = APIRouter(tags=["alerts"])


class Alert(BaseModel):
    id: str = Field(description="Stable for (subscription, story, revision); the `webhook-id` header.")
    subscription_id: str
    tenant: str
    kind: str = Field(description="story.detected | story.updated | subscription.test")
    story_id: str
    revision: int
    status: str = Field(description="pending | delivered | failed | exhausted | disabled")
    created_at: datetime | None
    payload: dict[str, Any] = Field(description="The webhook body (schemas/alert.v1).")


class Alerts(BaseModel):
    items: list[Alert]
    cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


def _out(a: AlertRecord) -> Alert:
    return Alert(
        id=a.id,
        subscription_id=a.subscription_id,
        tenant=a.tenant,
        kind=a.kind,
        story_id=a.story_id,
        revision=a.revision,
        status=a.status,
        created_at=a.created_at,
        payload=a.payload,
    )


def _store(request: Request) -> Any:
    store = request.app.state.services.alerts
    if store is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "alerts are not configured")
    return store


@router.get("/v1/alerts", response_model=Alerts)
def list_alerts(
    request: Request,
    caller: Annotated[Principal, Depends(principal)],
    subscription_id: str | None = None,
    since: Annotated[datetime | None, Query(description="Only alerts created at or after this time.")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Alerts:
    """The caller's alerts (every tenant's for the admin), optionally of one subscription."""
    if since is not None and since.tzinfo is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "`since` needs a timezone (e.g. Z)")
    tenant = None if caller.admin else caller.tenant
    try:
        page = _store(request).list_alerts(
            tenant=tenant, subscription_id=subscription_id, since=since, cursor=cursor, limit=limit
        )
    except ValueError as exc:  # a cursor we did not issue
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "invalid cursor") from exc
    return Alerts(items=[_out(a) for a in page.items], cursor=page.cursor)


@router.get("/v1/alerts/{alert_id}", response_model=Alert)
def get_alert(alert_id: str, request: Request, caller: Annotated[Principal, Depends(principal)]) -> Alert:
    alert = _store(request).get(alert_id)
    if alert is None or not caller.may_see(alert.tenant):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no alert {alert_id}")
    return _out(alert)
