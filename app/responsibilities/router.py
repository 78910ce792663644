from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Supervisor
from app.deps import IfMatch, Session
from app.http import created_response, item_response, no_content, page_response, problems
from app.pagination import Page
from app.responsibilities import service
from app.responsibilities.schemas import (
    ResponsibilityCreate,
    ResponsibilityQuery,
    ResponsibilityRead,
    ResponsibilityUpdate,
)
from app.routing import TransactionalRoute
from app.types import MAX_ID

router = APIRouter(
    prefix="/responsibilities", tags=["responsibilities"], route_class=TransactionalRoute
)
ResponsibilityId = Annotated[int, Path(ge=1, le=MAX_ID, description="Responsibility id.")]


@router.get(
    "",
    summary="List responsibilities",
    response_model=Page[ResponsibilityRead],
    responses=problems(),
)
async def list_responsibilities(
    session: Session, _: CurrentPrincipal, query: Annotated[ResponsibilityQuery, Query()]
) -> Response:
    rows, cursor = await service.list_responsibilities(session, query=query, page=query.page())
    return page_response(ResponsibilityRead, rows, cursor)


@router.post(
    "",
    summary="Create a responsibility",
    status_code=201,
    response_model=ResponsibilityRead,
    responses=problems(400, 409),
)
async def create_responsibility(
    session: Session, _: Supervisor, body: ResponsibilityCreate
) -> Response:
    responsibility = await service.create_responsibility(session, data=body)
    return created_response(ResponsibilityRead, responsibility, collection="responsibilities")


@router.get(
    "/{responsibility_id}",
    summary="Get a responsibility",
    response_model=ResponsibilityRead,
    responses=problems(404),
)
async def get_responsibility(
    session: Session, _: CurrentPrincipal, responsibility_id: ResponsibilityId
) -> Response:
    return item_response(
        ResponsibilityRead,
        await service.get_responsibility(session, responsibility_id=responsibility_id),
    )


@router.patch(
    "/{responsibility_id}",
    summary="Change a responsibility",
    response_model=ResponsibilityRead,
    responses=problems(400, 404, 409, 412),
)
async def update_responsibility(
    session: Session,
    _: Supervisor,
    responsibility_id: ResponsibilityId,
    body: ResponsibilityUpdate,
    if_match: IfMatch = None,
) -> Response:
    responsibility = await service.update_responsibility(
        session, responsibility_id=responsibility_id, data=body, if_match=if_match
    )
    return item_response(ResponsibilityRead, responsibility)


@router.delete(
    "/{responsibility_id}",
    summary="Delete a responsibility",
    status_code=204,
    response_class=Response,
    responses=problems(404, 409, 412),
)
async def delete_responsibility(
    session: Session,
    _: Supervisor,
    responsibility_id: ResponsibilityId,
    if_match: IfMatch = None,
) -> Response:
    await service.delete_responsibility(
        session, responsibility_id=responsibility_id, if_match=if_match
    )
    return no_content()
