"""The HTTP API: one FastAPI app over the composed services, the same in both backends.

Routers get what they need from `request.app.state.services` (a
`newswatch.compose.Services`), so they hold no state of their own and tests can
build an app over any backend.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI

from newswatch import __version__

if TYPE_CHECKING:
    from newswatch.compose import Services

# Router modules in the order their routes appear in the OpenAPI document.
# Those not written yet are skipped, so the app runs while the others land.
ROUTERS = ("articles", "auth", "subscriptions", "alerts", "deliveries", "health", "metrics")

DESCRIPTION = """Streaming news monitoring: IPTC topics, ISO 3166 regions, key events and
signed webhook alerts. Authenticate with `Authorization: Bearer <key>`: the admin token
(`NEWSWATCH_ADMIN_TOKEN`) or a tenant API key created with `POST /v1/api-keys`."""


def load_router(name: str) -> APIRouter | None:
    """`newswatch.api.<name>.router`, or None while that module does not exist."""
    module_name = f"newswatch.api.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise  # the module exists but something it imports is missing: a real error
    router: APIRouter = module.router
    return router


def create_app(services: Services) -> FastAPI:
    app = FastAPI(title="newswatch", version=__version__, description=DESCRIPTION)
    app.state.services = services
    for name in ROUTERS:
        router = load_router(name)
        if router is not None:
            app.include_router(router)
    return app
