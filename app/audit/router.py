from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.audit import service
from app.audit.schemas import AuditEventRead, AuditQuery
from app.auth.deps import Supervisor
from app.deps import Session
from app.http import page_response, problems
from app.pagination import Page
from app.routing import TransactionalRoute

router = APIRouter(prefix="/audit-events", tags=["audit-events"], route_class=TransactionalRoute)


@router.get(
    "",
    summary="List audit events, newest first",
    response_model=Page[AuditEventRead],
    responses=problems(403),
    description="Every write with its actor, time, request id and changed fields. "
    "Roles: admin, supervisor.",
)
async def list_audit_events(
    session: Session, _: Supervisor, query: Annotated[AuditQuery, Query()]
) -> Response:
    rows, cursor = await service.list_events(session, query=query, page=query.page())
    return page_response(AuditEventRead, rows, cursor)
