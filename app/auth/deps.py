"""The request's principal, from ``Authorization: Bearer <key>``."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, set_actor
from app.auth import service
from app.auth.service import Principal
from app.db import get_session
from app.errors import Forbidden, Unauthorized

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key: `Authorization: Bearer lsk_…`. "
    "Create one with `luoshi api-key create`.",
)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="luoshi"'}


async def require_principal(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("send an API key as `Authorization: Bearer <key>`", headers=_CHALLENGE)
    token = credentials.credentials
    if len(token) > 200 or "\x00" in token:
        raise Unauthorized("the API key is not valid", headers=_CHALLENGE)
    principal = await service.authenticate(session, token=token)
    if principal is None:
        raise Unauthorized("the API key is unknown, revoked or expired", headers=_CHALLENGE)
    request.state.principal = principal
    set_actor(session, Actor(key_id=principal.key_id, name=principal.name))
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


def require_role(*roles: str) -> Any:
    """A dependency that lets only these roles through (403 for the others)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(
                f"a {principal.role} key may not do this; it needs one of: {', '.join(roles)}"
            )
        return principal

    return Depends(check)


Admin = Annotated[Principal, require_role("admin")]
Supervisor = Annotated[Principal, require_role("admin", "supervisor")]
Reporter = Annotated[Principal, require_role("admin", "supervisor", "reporter")]
