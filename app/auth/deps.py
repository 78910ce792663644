"""The request's principal, from ``Authorization: Bearer <key>``."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth import service
from app.auth.service import Principal
from app.db import get_connection
from app.errors import Forbidden, TooManyRequests, Unauthorized

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key: `Authorization: Bearer lsk_…`. "
    "Create one with `luoshi api-key create`.",
)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="luoshi"'}


async def require_principal(
    request: Request,
    conn: Annotated[AsyncConnection, Depends(get_connection)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("send an API key as `Authorization: Bearer <key>`", headers=_CHALLENGE)
    token = credentials.credentials
    if len(token) > 200 or "\x00" in token:
        raise Unauthorized("the API key is not valid", headers=_CHALLENGE)
    settings = request.app.state.settings
    principal = await service.authenticate(
        conn, token=token, count_hit=settings.rate_limit_per_minute > 0
    )
    if principal is None:
        raise Unauthorized("the API key is unknown, revoked or expired", headers=_CHALLENGE)
    if 0 < settings.rate_limit_per_minute < principal.hits:
        raise TooManyRequests(
            f"this key made more than {settings.rate_limit_per_minute} requests this minute",
            headers={"Retry-After": str(principal.retry_after)},
        )
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
ALL_ROLES = ("admin", "supervisor", "reporter", "reader")


def require_role(*roles: str) -> Any:
    """A dependency that lets only these roles through (403 for the others)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(
                f"a {principal.role} key may not do this; it needs one of: {', '.join(roles)}"
            )
        return principal

    check.roles = roles  # type: ignore[attr-defined]  # read by app.routing for the docs
    return Depends(check)


Admin = Annotated[Principal, require_role("admin")]
Supervisor = Annotated[Principal, require_role("admin", "supervisor")]
Reporter = Annotated[Principal, require_role("admin", "supervisor", "reporter")]
