"""Dependencies every router uses: the request's session and the If-Match header."""

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.audit.service import Actor, set_actor
from app.auth.deps import CurrentPrincipal
from app.db import READ_ONLY_METHODS, RequestDatabase, get_connection


async def get_session(
    request: Request,
    conn: Annotated[AsyncConnection, Depends(get_connection)],
    principal: CurrentPrincipal,
) -> AsyncSession:
    """One session per request, on the connection authentication already used.

    Depending on the principal puts authentication first. Reads stay in autocommit (one
    statement each, no BEGIN/COMMIT round trips); writes get a transaction that
    ``app.routing`` commits before the response is sent and that closing the request's
    ``RequestDatabase`` rolls back otherwise.
    """
    db: RequestDatabase = request.state.db
    if request.method not in READ_ONLY_METHODS:
        await db.begin_writes()
    options: dict[str, Any] = getattr(request.app.state, "session_options", {})
    session = AsyncSession(bind=conn, expire_on_commit=False, autoflush=False, **options)
    set_actor(session, Actor(key_id=principal.key_id, name=principal.name))
    db.session = session
    return session


Session = Annotated[AsyncSession, Depends(get_session)]
IfMatch = Annotated[
    str | None,
    Header(
        max_length=200,
        description="Only apply the change if the record's current `ETag` is one of these "
        "(or `*`); otherwise 412.",
        examples=['"3"'],
    ),
]
