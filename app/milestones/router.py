from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Reporter, Supervisor
from app.deps import IfMatch, Session
from app.http import created_response, item_response, no_content, page_response, problems
from app.milestones import service
from app.milestones.schemas import MilestoneCreate, MilestoneQuery, MilestoneRead, MilestoneUpdate
from app.pagination import Page
from app.routing import TransactionalRoute
from app.types import MAX_ID

router = APIRouter(prefix="/milestones", tags=["milestones"], route_class=TransactionalRoute)
MilestoneId = Annotated[int, Path(ge=1, le=MAX_ID, description="Milestone id.")]


@router.get("", summary="List milestones", response_model=Page[MilestoneRead], responses=problems())
async def list_milestones(
    session: Session, _: CurrentPrincipal, query: Annotated[MilestoneQuery, Query()]
) -> Response:
    rows, cursor = await service.list_milestones(session, query=query, page=query.page())
    return page_response(MilestoneRead, rows, cursor)


@router.post(
    "",
    summary="Create a milestone",
    status_code=201,
    response_model=MilestoneRead,
    responses=problems(400, 409),
)
async def create_milestone(session: Session, _: Supervisor, body: MilestoneCreate) -> Response:
    milestone = await service.create_milestone(session, data=body)
    return created_response(MilestoneRead, milestone, collection="milestones")


@router.get(
    "/{milestone_id}",
    summary="Get a milestone",
    response_model=MilestoneRead,
    responses=problems(404),
)
async def get_milestone(
    session: Session, _: CurrentPrincipal, milestone_id: MilestoneId
) -> Response:
    return item_response(
        MilestoneRead, await service.get_milestone(session, milestone_id=milestone_id)
    )


@router.patch(
    "/{milestone_id}",
    summary="Change a milestone",
    response_model=MilestoneRead,
    responses=problems(400, 404, 409, 412),
)
async def update_milestone(
    session: Session,
    principal: Reporter,
    milestone_id: MilestoneId,
    body: MilestoneUpdate,
    if_match: IfMatch = None,
) -> Response:
    milestone = await service.update_milestone(
        session, milestone_id=milestone_id, data=body, if_match=if_match, actor=principal
    )
    return item_response(MilestoneRead, milestone)


@router.delete(
    "/{milestone_id}",
    summary="Delete a milestone",
    status_code=204,
    response_class=Response,
    responses=problems(404, 409, 412),
)
async def delete_milestone(
    session: Session, _: Supervisor, milestone_id: MilestoneId, if_match: IfMatch = None
) -> Response:
    await service.delete_milestone(session, milestone_id=milestone_id, if_match=if_match)
    return no_content()
