"""Ingest: `POST /v1/articles` puts articles on the queue; also `/healthz` and the dead letters.

An acknowledged article is durable: the 202 is sent only after the producer's
`flush()` returned. Invalid input is answered with 422 and recorded in the
dead-letter store (source transport `http`).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel

from newswatch.api.auth import Principal, admin, bearer, principal
from newswatch.api.ingest import MAX_BATCH_ITEMS, Checked, Item, Rejected, check_items, parse_body
from newswatch.contracts.schemas import load_schema
from newswatch.domain.errors import InvalidMessage
from newswatch.store.dead_letters import dead_letter_record

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 32 * 1024 * 1024
router = APIRouter(tags=["articles"])


class Accepted(BaseModel):
    accepted: int


class SchemaError(BaseModel):
    path: str
    message: str


class ItemError(BaseModel):
    index: int | None  # None: the body itself could not be parsed
    reason: str
    detail: str
    errors: list[SchemaError]


class Rejection(BaseModel):
    accepted: int = 0
    errors: list[ItemError]


def _article_schema() -> dict[str, Any]:
    # $schema/$id would confuse OpenAPI tooling; anything else (such as $defs) is needed
    schema = {k: v for k, v in load_schema("article").items() if k not in ("$schema", "$id")}
    return {"oneOf": [schema, {"type": "array", "items": schema, "maxItems": MAX_BATCH_ITEMS}]}


ARTICLES_DOC = f"""Submit one article (schemas/article.v1) or a JSON array of up to {MAX_BATCH_ITEMS}.

**202** `{{"accepted": n}}`: every article is durably queued for analysis.

**422**: at least one item is invalid. The batch is all or nothing: **no**
article of it is queued. `errors` lists each invalid item by its `index` in the
array (0 for a single object; null when the body is not JSON) with the schema
errors; each invalid item is also recorded in the dead-letter store. Fix or
drop those items and resend the batch.

**413**: body over {MAX_BODY_BYTES // 2**20} MiB or more than {MAX_BATCH_ITEMS} items.
**503**: the queue could not store the articles; nothing is acknowledged, retry later.
"""


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: 200 while the process serves HTTP."""
    return {"status": "ok"}


def ingest_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal | None:
    """Any valid key when NEWSWATCH_INGEST_REQUIRE_KEY=1; otherwise ingest is open."""
    if not request.app.state.services.settings.ingest_requires_key:
        return None
    return principal(request, credentials)


@router.post(
    "/v1/articles",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    description=ARTICLES_DOC,
    responses={422: {"model": Rejection, "description": "invalid article(s); nothing queued"}},
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _article_schema()}}}
    },
)
async def post_articles(
    request: Request, _: Annotated[Principal | None, Depends(ingest_caller)]
) -> Accepted | JSONResponse:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:  # refuse before reading it all
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {MAX_BODY_BYTES} bytes")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {MAX_BODY_BYTES} bytes")
    return await run_in_threadpool(submit, request.app.state.services, body)


def submit(services: Any, body: bytes) -> Accepted | JSONResponse:
    """Check, then dead-letter the invalid items or queue and flush the valid ones."""
    checked = check(body)
    if checked.rejected:
        dead_letter(services, checked.rejected)
        return JSONResponse(Rejection(errors=[item_error(r) for r in checked.rejected]).model_dump(), 422)
    try:
        enqueue(services, checked.items)
    except Exception as exc:  # any producer failure: nothing is acknowledged
        log.exception("queueing %d articles failed", len(checked.items))
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "queue unavailable, retry later") from exc
    return Accepted(accepted=len(checked.items))


def check(body: bytes) -> Checked:
    try:
        objs = parse_body(body)
    except InvalidMessage as exc:
        return Checked(rejected=[Rejected(None, exc, body)])
    if len(objs) > MAX_BATCH_ITEMS:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"more than {MAX_BATCH_ITEMS} articles")
    return check_items(objs)


def item_error(r: Rejected) -> ItemError:
    errors = [SchemaError(**e) for e in r.error.errors]
    return ItemError(index=r.index, reason=r.error.reason, detail=r.error.detail, errors=errors)


def enqueue(services: Any, items: list[Item]) -> None:
    topic = services.settings.articles_topic
    with services.ingest_lock:
        for item in items:
            services.producer.produce(topic, item.raw, key=item.id.encode("utf-8"))
        services.producer.flush()  # counted as consumed by whoever takes them off the queue
    if services.metrics is not None:
        services.metrics.articles_accepted_by_api(len(items))


def dead_letter(services: Any, rejected: list[Rejected]) -> None:
    for r in rejected:
        services.dead_letters.put(dead_letter_record(r.error, r.raw, {"transport": "http"}, services.clock()))
        if services.metrics is not None:  # they never reach the queue, so count them here
            services.metrics.article_consumed()
            services.metrics.article_invalid(r.error.reason)
            services.metrics.dead_lettered(r.error.reason)


@router.get("/v1/dead-letters")
def dead_letters(
    request: Request, _: Annotated[Principal, Depends(admin)], limit: int = 50
) -> dict[str, Any]:
    """The newest dead-letter records and the total count per reason (admin only)."""
    store = request.app.state.services.dead_letters
    return {"counts": store.count_by_reason(), "recent": store.recent(min(max(limit, 0), 1000))}


@router.get("/v1/analyses/{article_id}")
def get_analysis(
    request: Request, article_id: str, _: Annotated[Principal, Depends(principal)]
) -> dict[str, Any]:
    """The analysis (schemas/analysis.v1) of an article once processed; 404 before that."""
    found: dict[str, Any] | None = request.app.state.services.analyses.get(article_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no analysis for this article (yet)")
    return found
