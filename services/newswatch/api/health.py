"""`GET /readyz`: 200 when the stores and the queue answer; 503 with problem details when not.

`/healthz` (liveness) only says the process serves HTTP; a load balancer or an orchestrator's
readiness probe should use `/readyz`, which names the dependency that failed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from newswatch.observability.readiness import probe

router = APIRouter(tags=["observability"])

PROBLEM_TYPE = "https://newswatch.dev/problems/not-ready"


@router.get(
    "/readyz",
    responses={
        200: {"description": "every dependency answered", "content": {"application/json": {}}},
        503: {"description": "a dependency did not answer", "content": {"application/problem+json": {}}},
    },
)
def readyz(request: Request) -> JSONResponse:
    """Readiness: checks the stores and the queue; unauthenticated like /healthz."""
    result = probe(request.app.state.services.readiness)
    if result.ready:
        return JSONResponse({"status": "ready", "checks": result.checks})
    failed = result.failed
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE,
        "title": "Service not ready",
        "status": 503,
        "detail": "; ".join(f"{name}: {result.checks[name]}" for name in failed),
        "failed": failed,
        "checks": result.checks,
    }
    return JSONResponse(body, status_code=503, media_type="application/problem+json")
