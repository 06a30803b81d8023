"""Errors as RFC 9457 problem details: one shape for every route and every kind of failure.

Every error response is `application/problem+json`:
`{"type", "title", "status", "detail", "errors": [{"field", "message", "suggestion"}]}`;
`errors` names each offending field (a dotted path, `[i]` for list items) and, where we can tell,
what to send instead. Routes raise `Problem`; FastAPI's own errors (validation, unknown paths,
methods) are converted by the handlers installed in `install`, and so are the domain's typed
errors (`newswatch.domain.errors`): `domain_problem` is the one place that gives each its status.
`ProblemRoute` adds the checks every route shares: JSON bodies parsed by the pipeline's parser
(contracts/jsonio.py) and sent as `application/json` (else 415), and no query parameter the route
does not know (else 422).
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections.abc import Callable, Coroutine, Iterable, Sequence
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from newswatch.contracts import jsonio
from newswatch.domain.errors import (
    AlreadyExists,
    InvalidMessage,
    NewswatchError,
    NotFound,
    Unavailable,
)

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://newswatch.dev/problems/"


class FieldProblem(BaseModel):
    field: str = Field(description="The offending field: `body.filters.regions[0]`, `query.cursor`, ...")
    message: str
    suggestion: str | None = Field(None, description="What to send instead, when it can be told.")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details; routes add members of their own (such as `errors`)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    type: str = Field(
        description="A URI naming the kind of problem.", examples=[TYPE_BASE + "invalid-request"]
    )
    title: str = Field(examples=["Unprocessable Content"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["body.filters.regions[0]: 'UK' is not an ISO 3166 code; did you mean GB?"])
    errors: list[FieldProblem] | None = None


def problem_body(
    status: int, detail: str, kind: str | None = None, errors: Sequence[dict[str, Any]] = (), **extra: Any
) -> dict[str, Any]:
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or title.lower().replace(" ", "-").replace("'", "")),
        "title": title,
        "status": status,
        "detail": _safe(detail),
    }
    if errors:
        body["errors"] = [{k: _safe(v) for k, v in e.items()} for e in errors]
    body.update({k: v for k, v in extra.items()})
    return body


class Problem(HTTPException):
    """An error answered as problem details; `errors` are `{"field", "message", "suggestion"}`."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: Sequence[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(status, detail, headers=headers)
        self.body = problem_body(status, detail, kind, errors, **extra)


def field_error(field: str, message: str, suggestion: str | None = None) -> dict[str, Any]:
    error = {"field": field, "message": message}
    if suggestion:
        error["suggestion"] = suggestion
    return error


def closest(value: str, choices: Iterable[str]) -> str | None:
    """The most similar valid value (difflib), or None when nothing is close."""
    found = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _safe(value: Any) -> Any:
    """Text that JSON can carry: a lone surrogate (from a bad request) becomes U+FFFD, not a 500."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def respond(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=int(body["status"]), media_type=MEDIA_TYPE, headers=headers)


def _loc_name(loc: Sequence[Any]) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name


_HINTS = {
    "missing": "add this field",
    "extra_forbidden": "remove this field: it is not part of the schema",
    "int_parsing": "send an integer",
    "int_type": "send an integer",
    "float_parsing": "send a number",
    "float_type": "send a number",
    "bool_parsing": "send true or false",
    "bool_type": "send true or false",
    "string_type": "send a string",
    "list_type": "send a JSON array",
    "dict_type": "send a JSON object",
    "model_attributes_type": "send a JSON object",
    "datetime_parsing": "send an RFC 3339 time with a timezone, e.g. 2026-01-31T12:00:00Z",
    "datetime_from_date_parsing": "send an RFC 3339 time with a timezone, e.g. 2026-01-31T12:00:00Z",
    "greater_than_equal": "send a larger value",
    "less_than_equal": "send a smaller value",
    "json_invalid": "send a valid JSON document",
}


def _suggestion(error: dict[str, Any]) -> str | None:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("literal_error", "enum") and isinstance(error.get("input"), str) and "expected" in ctx:
        options = [o.strip(" '") for o in str(ctx["expected"]).replace(" or ", ",").split(",")]
        near = closest(error["input"], options)
        return f"did you mean {near!r}?" if near else f"one of: {ctx['expected']}"
    if kind in ("greater_than_equal", "greater_than") and "ge" in ctx:
        return f"send a value of at least {ctx['ge']}"
    if kind in ("less_than_equal", "less_than") and "le" in ctx:
        return f"send a value of at most {ctx['le']}"
    return _HINTS.get(kind)


def validation_problem(errors: Sequence[dict[str, Any]]) -> dict[str, Any]:
    items = [field_error(_loc_name(e.get("loc", ())), str(e.get("msg", "")), _suggestion(e)) for e in errors]
    first = items[0] if items else {"field": "request", "message": "invalid request"}
    detail = f"{first['field']}: {first['message']}" + (f" ({len(items)} errors)" if len(items) > 1 else "")
    return problem_body(422, detail, "invalid-request", items)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 503:
        headers.setdefault("Retry-After", "30")
    if exc.status_code == 405:  # the framework lists one route's methods; list every one of the path
        headers["Allow"] = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
    if isinstance(exc, Problem):
        return respond(exc.body, headers)
    detail = exc.detail
    if isinstance(detail, dict):  # {"message": ..., other members}
        extra = {k: v for k, v in detail.items() if k != "message"}
        return respond(problem_body(exc.status_code, str(detail.get("message", "")), **extra), headers)
    return respond(problem_body(exc.status_code, str(detail)), headers)


def domain_problem(exc: NewswatchError) -> tuple[dict[str, Any], dict[str, str]]:
    """The problem body and headers of a typed domain error: the one mapping of errors to HTTP."""
    if isinstance(exc, AlreadyExists):  # only ever the caller's own id, so this reveals nothing
        taken = field_error("body.id", "taken", "PATCH the existing one, or choose another id")
        return problem_body(409, exc.detail, "already-exists", [taken]), {}
    if isinstance(exc, NotFound):
        return problem_body(404, exc.detail, "not-found"), {}
    if isinstance(exc, InvalidMessage):
        errors = [field_error(e.get("path", "body"), e.get("message", "")) for e in exc.errors]
        return problem_body(422, exc.detail, exc.reason.replace("_", "-"), errors), {}
    if isinstance(exc, Unavailable):
        retry = {"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
        return problem_body(503, exc.detail, exc.kind), retry
    return problem_body(500, "internal error; the request may be retried", "internal-error"), {}


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NewswatchError)
    body, headers = domain_problem(exc)
    if body["status"] >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    return respond(body, headers)


def allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists for the requested path."""
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    for template, ops in paths.items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            return sorted(method.upper() for method in ops)
    return []


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return respond(validation_problem(list(exc.errors())))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return respond(problem_body(500, "internal error; the request may be retried", "internal-error"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NewswatchError, _domain_error)
    app.add_exception_handler(Exception, _server_error)


class JSONBodyRequest(Request):
    """A request whose JSON body is read by the pipeline's parser, with the same limits."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = jsonio.loads(await self.body())
            except InvalidMessage as exc:
                raise Problem(
                    422,
                    f"the body is not acceptable JSON: {exc.detail}",
                    kind="invalid-json",
                    errors=[field_error("body", exc.detail, "send valid UTF-8 JSON within the limits")],
                ) from exc
        return self._json


JSON_TYPES = ("application/json",)


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


class ProblemRoute(APIRoute):
    """An APIRoute that checks query parameter names and the body's media type, and parses JSON bodies
    with contracts/jsonio.py."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        known = query_names(self.dependant)
        takes_body = self.body_field is not None or "requestBody" in (self.openapi_extra or {})

        async def checked(request: Request) -> Response:
            unknown = [name for name in request.query_params if name not in known]
            if unknown:
                raise Problem(
                    422,
                    f"unknown query parameter {unknown[0]!r}",
                    kind="unknown-parameter",
                    errors=[_unknown_param(name, known) for name in unknown],
                )
            if takes_body and request.method in ("POST", "PUT", "PATCH"):
                _check_media_type(request)
            return await handler(JSONBodyRequest(request.scope, request.receive))

        return checked


def query_names(dependant: Dependant) -> set[str]:
    """Every query parameter a route reads, its dependencies' included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= query_names(sub)
    return names


def _unknown_param(name: str, known: set[str]) -> dict[str, Any]:
    near = closest(name, known)
    hint = f"did you mean {near!r}?" if near else None
    if hint is None:
        hint = f"known parameters: {', '.join(sorted(known))}" if known else "this route takes no parameters"
    return field_error(f"query.{name}", "not a parameter of this route", hint)


def _check_media_type(request: Request) -> None:
    content_type = request.headers.get("content-type")
    length = request.headers.get("content-length")
    has_body = length not in (None, "0") or "transfer-encoding" in request.headers
    if content_type is None and not has_body:
        return  # no body at all: the route's own check reports what is missing
    if content_type is None or not is_json(content_type):
        raise Problem(
            415,
            f"the body must be JSON, sent as Content-Type: application/json (got {content_type or 'none'})",
            kind="unsupported-media-type",
            errors=[field_error("header.content-type", "not a JSON media type", "application/json")],
        )


def parse_since(value: str | None, field: str = "query.since") -> datetime | None:
    """An RFC 3339 time with a timezone, or a 422 naming `field` (no Unix numbers, no naive times)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or not value[:4].isdigit():
        raise Problem(
            422,
            f"{field}: {value!r} is not an RFC 3339 time with a timezone",
            errors=[field_error(field, "not an RFC 3339 time with a timezone", "e.g. 2026-01-31T12:00:00Z")],
        )
    return parsed


SINCE_DOC = "Only items at or after this RFC 3339 time (with a timezone, e.g. 2026-01-31T12:00:00Z)."
# The paging parameters every list route declares the same way.
CursorQuery = Annotated[
    str | None,
    Query(pattern="^[A-Za-z0-9_=-]{4,400}$", description="The `cursor` of the previous page."),
]
LimitQuery = Annotated[int, Query(ge=1, le=500)]
