"""Bearer API keys: who is calling, as a `Principal(tenant, admin)`.

Routers declare `principal: Principal = Depends(principal)` (any valid key) or
`Depends(admin)` (the admin token only). The admin token comes from settings
(`NEWSWATCH_ADMIN_TOKEN`); tenant keys are created by the admin with
`POST /v1/api-keys` and stored only as hashes. The admin acts as tenant
`admin` and may see every tenant's data.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from newswatch.api.problems import Problem, ProblemRoute, field_error
from newswatch.store.api_keys import KeyInfo, key_hash, key_id

ADMIN_TENANT = "admin"
TENANT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

bearer = HTTPBearer(
    auto_error=False, description="An API key, or the admin token: `Authorization: Bearer <key>`"
)
_TENANT_RE = re.compile(TENANT_PATTERN)


@dataclass(frozen=True, slots=True)
class Principal:
    tenant: str
    admin: bool = False

    def may_see(self, tenant: str) -> bool:
        """Tenants see only their own data; the admin sees everything."""
        return self.admin or tenant == self.tenant


def _unauthorized(detail: str) -> Problem:
    return Problem(
        401,
        f"{detail}: send `Authorization: Bearer <key>` with the admin token or a tenant API key",
        kind="unauthorized",
        headers={"WWW-Authenticate": "Bearer"},
    )


def identify(services: Any, token: str) -> Principal | None:
    """The principal a bearer token stands for, or None. Constant-time for the admin token."""
    admin_token: str | None = services.settings.admin_token
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(ADMIN_TENANT, admin=True)
    tenant: str | None = services.api_keys.tenant_for(token)
    return Principal(tenant) if tenant is not None else None


def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """Dependency: the caller, or 401 for a missing or unknown key."""
    if credentials is None:
        raise _unauthorized("missing bearer API key")
    found = identify(request.app.state.services, credentials.credentials)
    if found is None:
        raise _unauthorized("unknown API key")
    return found


def admin(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    """Dependency: the admin, or 403 for a tenant key."""
    if not caller.admin:
        raise Problem(403, "this needs the admin token (NEWSWATCH_ADMIN_TOKEN), not a tenant key")
    return caller


def valid_tenant(name: str) -> bool:
    return bool(_TENANT_RE.match(name)) and name != ADMIN_TENANT


router = APIRouter(tags=["auth"], route_class=ProblemRoute)


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant: str = Field(pattern=TENANT_PATTERN, description="Tenant the key acts for (not `admin`).")


class CreatedKey(BaseModel):
    id: str = Field(description="The key's id, for listing and revoking.")
    tenant: str
    key: str = Field(description="The API key. Shown once: only its hash is stored.")


@router.post("/v1/api-keys", status_code=status.HTTP_201_CREATED, response_model=CreatedKey)
def create_api_key(body: NewKey, request: Request, _: Annotated[Principal, Depends(admin)]) -> CreatedKey:
    """Create an API key for a tenant (admin only). The key is returned once."""
    if not valid_tenant(body.tenant):
        raise Problem(
            422,
            f"tenant name {body.tenant!r} is reserved",
            errors=[field_error("body.tenant", "reserved for the admin", "choose another tenant name")],
        )
    key = request.app.state.services.api_keys.create(body.tenant)
    return CreatedKey(tenant=body.tenant, key=key, id=key_id(key_hash(key)))


class ApiKey(BaseModel):
    id: str = Field(
        description="Pass to `DELETE /v1/api-keys/{id}` to revoke the key.", examples=["key_3f2a9c0d1b7e6a54"]
    )
    tenant: str
    hint: str | None = Field(
        description="The key's first characters, to tell keys apart.", examples=["nwk_Ab3x"]
    )
    created_at: datetime | None


class ApiKeys(BaseModel):
    items: list[ApiKey]


def _key_out(k: KeyInfo) -> ApiKey:
    return ApiKey(id=k.id, tenant=k.tenant, hint=k.hint, created_at=k.created_at)


@router.get("/v1/api-keys", response_model=ApiKeys)
def list_api_keys(request: Request, caller: Annotated[Principal, Depends(principal)]) -> ApiKeys:
    """The caller's tenant's keys (every tenant's for the admin), oldest first; never the keys themselves."""
    keys = request.app.state.services.api_keys.list_keys(None if caller.admin else caller.tenant)
    return ApiKeys(items=[_key_out(k) for k in keys])


@router.delete("/v1/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}})
def revoke_api_key(
    key_id: str, request: Request, caller: Annotated[Principal, Depends(principal)]
) -> Response:
    """Revoke a key: it stops working at once. A tenant revokes its own keys; the admin any."""
    store = request.app.state.services.api_keys
    found = next(
        (k for k in store.list_keys(None if caller.admin else caller.tenant) if k.id == key_id), None
    )
    if found is None:  # another tenant's key answers the same as a missing one
        raise Problem(404, f"no API key {key_id}")
    store.revoke(key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
