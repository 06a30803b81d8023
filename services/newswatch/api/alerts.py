"""`GET /v1/alerts`: planned alerts (with their webhook bodies), newest first, the caller's tenant only."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from newswatch.alerts.ports import AlertKind, AlertRecord, AlertStatus
from newswatch.api.auth import Principal, principal
from newswatch.api.deps import ServicesDep
from newswatch.api.problems import (
    SINCE_DOC,
    CursorQuery,
    LimitQuery,
    Problem,
    ProblemRoute,
    field_error,
    parse_since,
)
from newswatch.store.alerts_codec import cursor_decode

router = APIRouter(tags=["alerts"], route_class=ProblemRoute)
# Alert cursors hold (created_at in microseconds, alert id); anything else was not issued by us.
_MAX_MICROS = 2**63 - 1
_ALERT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,200}")


class Alert(BaseModel):
    id: str = Field(description="Stable for (subscription, story, revision); the `webhook-id` header.")
    subscription_id: str
    tenant: str
    kind: AlertKind
    story_id: str
    revision: int
    status: AlertStatus
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
        kind=AlertKind(a.kind),
        story_id=a.story_id,
        revision=a.revision,
        status=AlertStatus(a.status),
        created_at=a.created_at,
        payload=a.payload,
    )


@router.get("/v1/alerts", response_model=Alerts, responses={503: {}})
def list_alerts(
    services: ServicesDep,
    caller: Annotated[Principal, Depends(principal)],
    subscription_id: str | None = None,
    since: Annotated[
        str | None, Query(description=SINCE_DOC, json_schema_extra={"format": "date-time"})
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 100,
) -> Alerts:
    """The caller's alerts (every tenant's for the admin), optionally of one subscription."""
    after = parse_since(since)
    if cursor is not None:
        check_cursor(cursor)
    tenant = None if caller.admin else caller.tenant
    page = services.alerts.list_alerts(
        tenant=tenant, subscription_id=subscription_id, since=after, cursor=cursor, limit=limit
    )
    return Alerts(items=[_out(a) for a in page.items], cursor=page.cursor)


def check_cursor(cursor: str) -> None:
    """422 for a cursor that `GET /v1/alerts` did not hand out (garbled, forged or out of range)."""
    try:
        micros, alert_id = cursor_decode(cursor)
        ok = 0 <= micros <= _MAX_MICROS and _ALERT_ID.fullmatch(alert_id) is not None
    except ValueError:  # not base64, not UTF-8, not a number (binascii and Unicode errors included)
        ok = False
    if not ok:
        raise Problem(
            422,
            "invalid cursor",
            kind="invalid-cursor",
            errors=[field_error("query.cursor", "not a cursor this API issued", "pass `cursor` as returned")],
        )


@router.get("/v1/alerts/{alert_id}", response_model=Alert, responses={404: {}})
def get_alert(
    alert_id: str, services: ServicesDep, caller: Annotated[Principal, Depends(principal)]
) -> Alert:
    alert = services.alerts.get(alert_id)
    if alert is None or not caller.may_see(alert.tenant):
        raise Problem(404, f"no alert {alert_id}")
    return _out(alert)
