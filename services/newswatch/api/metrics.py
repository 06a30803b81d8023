"""GET /metrics: Prometheus text exposition of this process's metrics.

The registry comes from `request.app.state.services`: its `metrics`
(a `newswatch.metrics.Metrics`) or, failing that, its `registry`. An app
built without either (early wiring, tests of other routers) exposes
prometheus_client's default registry rather than failing the scrape.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry

from newswatch.observability.export import render

router = APIRouter(tags=["observability"])


def registry_of(services: object) -> CollectorRegistry:
    """The registry of the composed services, or the process default."""
    metrics = getattr(services, "metrics", None)
    registry = getattr(metrics, "registry", None) or getattr(services, "registry", None)
    return registry if isinstance(registry, CollectorRegistry) else REGISTRY


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Scrape endpoint; unauthenticated like /healthz (bind it to a private network)."""
    services = getattr(request.app.state, "services", None)
    sample = getattr(services, "sample_backlog", None)
    if callable(sample):  # embedded backlog as of this scrape, not of the last periodic sample
        sample()
    body, content_type = render(registry_of(services))
    return Response(content=body, media_type=content_type)
