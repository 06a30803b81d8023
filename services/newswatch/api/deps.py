"""The composed services as a typed FastAPI dependency: `services: ServicesDep` in a route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from newswatch.compose import Services


def services_of(request: Request) -> Services:
    """The `Services` `create_app` was given (stored on `app.state`)."""
    services = request.app.state.services
    assert isinstance(services, Services), "create_app(services) sets app.state.services"
    return services


ServicesDep = Annotated[Services, Depends(services_of)]
