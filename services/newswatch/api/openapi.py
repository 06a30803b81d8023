"""The OpenAPI 3.1 document: every status each route answers, problem details, and the webhook body.

`declare_errors` adds to each route the error statuses it can answer, found from what it is
(authenticated: 401; admin only: 403; takes a body: 415; every route: 422 for unknown query
parameters) plus those the route lists itself (404, 409, 413, 503). `document` renders the
document once, with every error as `application/problem+json`, the JSON Schemas of schemas/
lifted into components (their `$defs` as components of their own, so references resolve), and a
`webhooks` entry describing the alert body from schemas/alert.v1 with its examples.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from newswatch.api.auth import admin, principal
from newswatch.api.problems import MEDIA_TYPE, ProblemDetails
from newswatch.contracts.schemas import load_schema, schema_dir

DESCRIPTIONS = {
    401: "Missing or unknown API key: send `Authorization: Bearer <key>`.",
    403: "The admin token is needed, or a tenant key tried to act for another tenant.",
    404: "No such resource for this caller (another tenant's resources answer the same way).",
    409: "The resource already exists.",
    413: "The body is too large.",
    415: "The body is not sent as `Content-Type: application/json`.",
    422: "The request is invalid; `errors` names each field and what to send instead.",
    503: "A dependency (queue or store) is unavailable; retry after `Retry-After` seconds.",
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}}


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def declare_errors(routes: Sequence[BaseRoute]) -> None:
    """Add the error statuses each route can answer to its `responses` (problem details).

    Called on each router's routes before the app includes the router.
    """
    from newswatch.api.articles import ingest_caller

    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        calls = _calls(route.dependant)
        codes = {422} | {c for c in route.responses if isinstance(c, int) and c >= 400}
        if principal in calls or ingest_caller in calls:
            codes.add(401)
        if admin in calls:
            codes.add(403)
        if route.body_field is not None or "requestBody" in (route.openapi_extra or {}):
            codes.add(415)
        for code in codes:
            declared = route.responses.get(code) or {}
            route.responses[code] = {
                "model": declared.get("model", ProblemDetails),
                "description": declared.get("description", DESCRIPTIONS[code]),
            }


def document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        doc = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version="3.1.0",
            description=app.description,
            routes=app.routes,
        )
        app.openapi_schema = _finish(doc)
        if not app.state.services.settings.ingest_requires_key:  # ingest is open unless configured
            ingest = app.openapi_schema["paths"]["/v1/articles"]["post"]
            ingest["security"] = [{}, *ingest.get("security", [])]
    return app.openapi_schema


def _finish(doc: dict[str, Any]) -> dict[str, Any]:
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path in doc.get("paths", {}).values():
        for op in path.values():
            _problem_responses(op)
    for name in ("Body_post_articles",):
        components.pop(name, None)
    doc["webhooks"] = {"alert": _alert_webhook(components)}
    _lift_all_defs(doc, components)
    return doc


def _problem_responses(op: dict[str, Any]) -> None:
    for code, response in op.get("responses", {}).items():
        if not code.isdigit() or int(code) < 400:
            continue
        content = response.get("content", {})
        schema = content.pop("application/json", {}).get("schema")
        if schema is None or "HTTPValidationError" in json.dumps(schema):
            schema = {"$ref": "#/components/schemas/ProblemDetails"}
        response["content"] = {MEDIA_TYPE: {"schema": schema}}
        if code == "503":
            response["headers"] = RETRY_AFTER
        if code == "401":
            response["headers"] = WWW_AUTHENTICATE


def _examples(name: str) -> dict[str, Any]:
    out = {}
    for path in sorted((schema_dir() / "examples").glob(f"{name}.v1.*.json")):
        case = path.name.split(".")[2]
        out[case] = {"summary": case, "value": json.loads(path.read_text(encoding="utf-8"))}
    return out


def _alert_webhook(components: dict[str, Any]) -> dict[str, Any]:
    schema = {k: v for k, v in load_schema("alert").items() if k not in ("$schema", "$id")}
    components["AlertV1"] = copy.deepcopy(schema)
    header = {"in": "header", "required": True, "schema": {"type": "string"}}
    return {
        "post": {
            "summary": "An alert, POSTed to the subscription's webhook URL",
            "description": (
                "Signed per Standard Webhooks with the subscription's secret. `webhook-id` equals "
                "`data.alert_id` and stays the same across retries and replays: deduplicate on it. "
                "`webhook-signature` holds one or more space-separated `v1,<base64>` signatures "
                "(two while a rotated secret's overlap lasts); accept the message when any verifies. "
                "A subscription in digest delivery mode receives one `type: digest` body per period "
                "with alerts instead, holding each story's latest alert of the period in "
                "`data.stories`; its `webhook-id` is stable for (subscription, period)."
            ),
            "operationId": "alert_webhook",
            "parameters": [
                {**header, "name": "webhook-id", "description": "Stable id of the alert."},
                {**header, "name": "webhook-timestamp", "description": "Unix seconds of this attempt."},
                {**header, "name": "webhook-signature", "description": "Space-separated `v1,<sig>`."},
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/AlertV1"},
                        "examples": _examples("alert"),
                    }
                },
            },
            "responses": {
                "200": {"description": "Any 2xx: delivered."},
                "410": {"description": "Gone: the subscription is disabled; no more deliveries."},
                "429": {"description": "Retried later, like 5xx and timeouts."},
            },
        }
    }


def _lift_all_defs(doc: dict[str, Any], components: dict[str, Any]) -> None:
    """Move each embedded JSON Schema's `$defs` into components and point its references there.

    In OpenAPI a `#/$defs/x` reference resolves against the OpenAPI document, not against the
    embedded schema, so schemas/ documents are rewritten as they are embedded.
    """
    for name in list(components):
        components[name] = _lift(components[name], name, components)
    for path in doc.get("paths", {}).values():
        for op in path.values():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body and "schema" in body:
                body["schema"] = _lift(body["schema"], op.get("operationId", "Body"), components)


def _lift(schema: Any, owner: str, components: dict[str, Any]) -> Any:
    defs: dict[str, Any] = {}
    _collect_defs(schema, defs)
    if not defs:
        return schema
    rename = {f"#/$defs/{d}": f"#/components/schemas/{owner}_{d}" for d in defs}
    for d, sub in defs.items():
        components[f"{owner}_{d}"] = _rewrite(sub, rename)
    return _rewrite(schema, rename)


def _collect_defs(node: Any, into: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for d, sub in (node.get("$defs") or {}).items():
            into[d] = sub
            _collect_defs(sub, into)
        for k, v in node.items():
            if k != "$defs":
                _collect_defs(v, into)
    elif isinstance(node, list):
        for v in node:
            _collect_defs(v, into)


def _rewrite(node: Any, rename: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            k: (rename.get(v, v) if k == "$ref" and isinstance(v, str) else _rewrite(v, rename))
            for k, v in node.items()
            if k != "$defs"
        }
    if isinstance(node, list):
        return [_rewrite(v, rename) for v in node]
    return node
