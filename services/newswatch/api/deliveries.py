"""`GET /v1/deliveries`: the delivery attempt log, newest first, for the caller's tenant only."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from newswatch.api.auth import Principal, principal
from newswatch.api.deps import ServicesDep
from newswatch.api.problems import (
    SINCE_DOC,
    LimitQuery,
    Problem,
    ProblemRoute,
    field_error,
    parse_since,
)
from newswatch.delivery.log import AttemptOutcome, AttemptQuery, DeliveryLog

router = APIRouter(tags=["deliveries"], route_class=ProblemRoute)
# Cursors are attempt sequence numbers (below 2**62): ASCII digits, never more than 19 of them.
_CURSOR = re.compile(r"[0-9]{1,19}")
_MAX_SEQ = 2**62


class Attempt(BaseModel):
    alert_id: str = Field(description="Also the `webhook-id` header the receiver saw.")
    subscription_id: str
    tenant: str
    attempt: int = Field(description="1-based within one delivery run; a replay starts again at 1.")
    at: datetime
    outcome: AttemptOutcome
    status: int | None = Field(description="HTTP status; null when no response came or nothing was sent.")
    latency: float | None = Field(description="Seconds the HTTP exchange took; null when nothing was sent.")
    error: str | None
    next_at: datetime | None = Field(description="When the next attempt is due, if one is scheduled.")


class Attempts(BaseModel):
    items: list[Attempt]
    cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


@router.get("/v1/deliveries", response_model=Attempts, responses={503: {}})
async def list_deliveries(
    services: ServicesDep,
    caller: Annotated[Principal, Depends(principal)],
    subscription_id: str | None = None,
    alert_id: str | None = None,
    since: Annotated[
        str | None, Query(description=SINCE_DOC, json_schema_extra={"format": "date-time"})
    ] = None,
    cursor: Annotated[
        str | None, Query(pattern="^[0-9]{1,19}$", description="The `cursor` of the previous page.")
    ] = None,
    limit: LimitQuery = 100,
) -> Attempts:
    """Every attempt to deliver the caller's alerts (the admin sees all tenants)."""
    log: DeliveryLog = services.deliveries
    after = parse_since(since)
    if cursor is not None and (_CURSOR.fullmatch(cursor) is None or int(cursor) > _MAX_SEQ):
        raise Problem(
            422,
            "invalid cursor",
            kind="invalid-cursor",
            errors=[field_error("query.cursor", "not a cursor this API issued", "pass `cursor` as returned")],
        )
    page = await run_in_threadpool(
        log.list_attempts,
        AttemptQuery(
            tenant=None if caller.admin else caller.tenant,
            subscription_id=subscription_id,
            alert_id=alert_id,
            since=after,
            cursor=cursor,
            limit=limit,
        ),
    )
    return Attempts(items=[Attempt(**a.to_dict()) for a in page.items], cursor=page.cursor)
