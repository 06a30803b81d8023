"""Ingest: `POST /v1/articles` puts articles on the queue; also `/healthz` and the dead letters.

An acknowledged article is durable: the 202 is sent only after the producer's
`flush()` returned. Invalid input is answered with 422 and recorded in the
dead-letter store (source transport `http`).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from newswatch.api.auth import Principal, admin, bearer, principal
from newswatch.api.ingest import MAX_BATCH_ITEMS, Checked, Item, Rejected, check_items, parse_body
from newswatch.api.problems import Problem, ProblemRoute, field_error, problem_body, respond
from newswatch.contracts.schemas import load_schema
from newswatch.domain.errors import InvalidMessage
from newswatch.store.dead_letters import dead_letter_record

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 32 * 1024 * 1024
router = APIRouter(tags=["articles"], route_class=ProblemRoute)


class QueueUnavailable(Exception):
    """The queue did not store the batch within the ingest timeout (or failed outright)."""


class Accepted(BaseModel):
    accepted: int


class SchemaError(BaseModel):
    path: str
    message: str


class ItemError(BaseModel):
    """One rejected article (`index`, `reason` and its schema `errors`), or a request-level problem."""

    field: str = Field(description="`body[i]` for the i-th article, `body` when the body is unusable.")
    message: str
    suggestion: str | None = None
    index: int | None = Field(default=None, description="The article's position; null for the body.")
    reason: str | None = Field(default=None, description="decode_error | schema_invalid | too_large")
    detail: str | None = None
    errors: list[SchemaError] = []


class Rejection(BaseModel):
    """Problem details (RFC 9457) listing every rejected article; nothing of the batch was queued."""

    type: str
    title: str
    status: int
    detail: str
    accepted: int = 0
    errors: list[ItemError] = []


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

The body is parsed by the pipeline's own rules: JSON (no NaN or Infinity), valid UTF-8
without lone surrogates, at most 64 levels of nesting and integers of at most 19 digits.

**413**: body over {MAX_BODY_BYTES // 2**20} MiB (more than {MAX_BATCH_ITEMS} items: 422).
**415**: the body is not sent as `Content-Type: application/json`.
**503**: the queue did not store the articles within `NEWSWATCH_INGEST_TIMEOUT` seconds (a broker
outage); nothing is acknowledged, retry after `Retry-After` seconds.
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
    responses={
        413: {},
        422: {"model": Rejection, "description": "invalid article(s); nothing queued"},
        503: {},
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _article_schema()}}}
    },
)
async def post_articles(
    request: Request, _: Annotated[Principal | None, Depends(ingest_caller)]
) -> Accepted | JSONResponse:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:  # refuse before reading it all
        raise Problem(413, f"body over {MAX_BODY_BYTES} bytes: send fewer articles per request")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise Problem(413, f"body over {MAX_BODY_BYTES} bytes: send fewer articles per request")
    return await run_in_threadpool(submit, request.app.state.services, body)


def submit(services: Any, body: bytes) -> Accepted | JSONResponse:
    """Check, then dead-letter the invalid items or queue and flush the valid ones."""
    checked = check(body)
    if checked.rejected:
        dead_letter(services, checked.rejected)
        return rejection(checked.rejected)
    timeout = services.settings.ingest_timeout_s
    try:
        enqueue(services, checked.items, timeout)
    except QueueUnavailable as exc:
        log.warning("queueing %d articles failed: %s", len(checked.items), exc)
        raise Problem(
            503,
            f"the queue did not store the articles within {timeout:g} s; nothing was acknowledged,"
            " retry later",
            kind="queue-unavailable",
            headers={"Retry-After": str(max(1, math.ceil(timeout)))},
        ) from exc
    return Accepted(accepted=len(checked.items))


def rejection(rejected: list[Rejected]) -> JSONResponse:
    first = rejected[0]
    where = "the body" if first.index is None else f"article {first.index}"
    detail = f"{len(rejected)} article(s) rejected, nothing queued; {where}: {first.error.detail}"
    errors = [item_error(r).model_dump() for r in rejected]
    return respond(problem_body(422, detail, "invalid-articles", accepted=0, errors=errors))


def check(body: bytes) -> Checked:
    try:
        objs = parse_body(body)
    except InvalidMessage as exc:
        return Checked(rejected=[Rejected(None, exc, body)])
    if len(objs) > MAX_BATCH_ITEMS:
        # the schema's maxItems: a validation error like any other (413 is for the byte size)
        raise Problem(
            422,
            f"{len(objs)} articles in one request, at most {MAX_BATCH_ITEMS}: split the batch",
            kind="invalid-articles",
            errors=[field_error("body", f"more than {MAX_BATCH_ITEMS} items", "send smaller batches")],
        )
    return check_items(objs)


def item_error(r: Rejected) -> ItemError:
    errors = [SchemaError(**e) for e in r.error.errors]
    field = "body" if r.index is None else f"body[{r.index}]"
    return ItemError(
        field=field,
        message=r.error.detail,
        index=r.index,
        reason=r.error.reason,
        detail=r.error.detail,
        errors=errors,
    )


def enqueue(services: Any, items: list[Item], timeout_s: float) -> None:
    """Produce and flush `items` within `timeout_s`, or raise QueueUnavailable.

    The lock keeps one batch's produce-and-flush together (the producer's error list is shared);
    waiting for it and holding it are both bounded by the same deadline, so a broker outage
    costs each request at most `timeout_s` and never blocks the next one for the whole outage.
    """
    topic = services.settings.articles_topic
    deadline = time.monotonic() + timeout_s
    if not services.ingest_lock.acquire(timeout=timeout_s):
        raise QueueUnavailable(f"another batch held the queue for {timeout_s:g} s")
    try:
        for item in items:
            services.producer.produce(topic, item.raw, key=item.id.encode("utf-8"))
        # counted as consumed by whoever takes them off the queue
        services.producer.flush(timeout_s=max(0.001, deadline - time.monotonic()))
    except Exception as exc:  # any producer failure or timeout: nothing is acknowledged
        raise QueueUnavailable(repr(exc)) from exc
    finally:
        services.ingest_lock.release()
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
    request: Request,
    _: Annotated[Principal, Depends(admin)],
    limit: Annotated[int, Query(ge=0, le=1000)] = 50,
) -> dict[str, Any]:
    """The newest dead-letter records and the total count per reason (admin only)."""
    store = request.app.state.services.dead_letters
    return {"counts": store.count_by_reason(), "recent": store.recent(limit)}


@router.get("/v1/analyses/{article_id}", responses={404: {}})
def get_analysis(
    request: Request, article_id: str, _: Annotated[Principal, Depends(principal)]
) -> dict[str, Any]:
    """The analysis (schemas/analysis.v1) of an article once processed; 404 before that."""
    found: dict[str, Any] | None = request.app.state.services.analyses.get(article_id)
    if found is None:
        raise Problem(404, "no analysis for this article (yet): it may still be queued")
    return found
