"""The HTTP API: one FastAPI app over the composed services, the same in both backends.

Routers get the composed `newswatch.compose.Services` through the typed
dependency `api.deps.ServicesDep` (it lives on `app.state.services`), so they hold
no state of their own and tests can build an app over any backend. Every error is
an RFC 9457 problem (api/problems.py); the OpenAPI document (api/openapi.py)
declares each status a route can answer; /docs serves Swagger UI from an
installed package, so it works offline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from newswatch import __version__
from newswatch.api import openapi, problems

if TYPE_CHECKING:
    from newswatch.compose import Services

# Router modules in the order their routes appear in the OpenAPI document.
# Those not written yet are skipped, so the app runs while the others land.
ROUTERS = ("articles", "auth", "subscriptions", "alerts", "stories", "deliveries", "health", "metrics")

DESCRIPTION = """Streaming news monitoring: IPTC topics, ISO 3166 regions, key events and
signed webhook alerts. Authenticate with `Authorization: Bearer <key>`: the admin token
(`NEWSWATCH_ADMIN_TOKEN`) or a tenant API key created with `POST /v1/api-keys`.

Every error is an RFC 9457 problem (`application/problem+json`) whose `errors` name each
offending field and, where possible, what to send instead. Unknown query parameters are refused.
The webhook body alerts are delivered with is described under **Webhooks** (`alert`)."""

DOCS_ASSETS = "/docs/assets"


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
    app = FastAPI(
        title="newswatch", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None
    )
    app.state.services = services
    problems.install(app)
    for name in ROUTERS:
        router = load_router(name)
        if router is not None:
            openapi.declare_errors(router.routes)
            app.include_router(router)
    app.openapi = lambda: openapi.document(app)  # type: ignore[method-assign]
    _offline_docs(app)
    return app


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI and ReDoc from the assets of the `fastapi-offline` package: no CDN, no network."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(_assets_dir())), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="newswatch API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="newswatch API",
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )


def _assets_dir() -> Any:
    from importlib.resources import files

    return files("fastapi_offline") / "static"
