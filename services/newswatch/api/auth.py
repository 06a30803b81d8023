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
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

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


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


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
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin token required")
    return caller


def valid_tenant(name: str) -> bool:
    return bool(_TENANT_RE.match(name)) and name != ADMIN_TENANT


router = APIRouter(tags=["auth"])


class NewKey(BaseModel):
    tenant: str = Field(pattern=TENANT_PATTERN, description="Tenant the key acts for (not `admin`).")


class CreatedKey(BaseModel):
    tenant: str
    key: str = Field(description="The API key. Shown once: only its hash is stored.")


@router.post("/v1/api-keys", status_code=status.HTTP_201_CREATED, response_model=CreatedKey)
def create_api_key(body: NewKey, request: Request, _: Annotated[Principal, Depends(admin)]) -> CreatedKey:
    """Create an API key for a tenant (admin only). The key is returned once."""
    if not valid_tenant(body.tenant):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"tenant name {body.tenant!r} is reserved")
    return CreatedKey(tenant=body.tenant, key=request.app.state.services.api_keys.create(body.tenant))
