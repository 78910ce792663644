from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Supervisor
from app.deps import IfMatch, Session
from app.http import (
    created_response,
    item_response,
    json_response,
    no_content,
    page_response,
    problems,
)
from app.pagination import Page
from app.plans import service
from app.plans.schemas import PlanCreate, PlanQuery, PlanRead, PlanUpdate
from app.reports import obligations
from app.reports.obligations import Obligation, ObligationQuery
from app.routing import TransactionalRoute
from app.types import MAX_ID

router = APIRouter(prefix="/plans", tags=["plans"], route_class=TransactionalRoute)
PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="Plan id.")]


@router.get("", summary="List plans", response_model=Page[PlanRead], responses=problems())
async def list_plans(
    session: Session, _: CurrentPrincipal, query: Annotated[PlanQuery, Query()]
) -> Response:
    rows, cursor = await service.list_plans(session, query=query, page=query.page())
    return page_response(PlanRead, rows, cursor)


@router.post(
    "",
    summary="Create a plan",
    status_code=201,
    response_model=PlanRead,
    responses=problems(400, 409),
)
async def create_plan(session: Session, _: Supervisor, body: PlanCreate) -> Response:
    plan = await service.create_plan(session, data=body)
    return created_response(PlanRead, plan, collection="plans")


@router.get("/{plan_id}", summary="Get a plan", response_model=PlanRead, responses=problems(404))
async def get_plan(session: Session, _: CurrentPrincipal, plan_id: PlanId) -> Response:
    return item_response(PlanRead, await service.get_plan(session, plan_id=plan_id))


@router.patch(
    "/{plan_id}",
    summary="Change a plan",
    response_model=PlanRead,
    responses=problems(400, 404, 409, 412),
)
async def update_plan(
    session: Session,
    _: Supervisor,
    plan_id: PlanId,
    body: PlanUpdate,
    if_match: IfMatch = None,
) -> Response:
    plan = await service.update_plan(session, plan_id=plan_id, data=body, if_match=if_match)
    return item_response(PlanRead, plan)


@router.delete(
    "/{plan_id}",
    summary="Delete a plan",
    status_code=204,
    response_class=Response,
    responses=problems(404, 409, 412),
    description="Refused (409) while the plan still has tasks or indicators.",
)
async def delete_plan(
    session: Session, _: Supervisor, plan_id: PlanId, if_match: IfMatch = None
) -> Response:
    await service.delete_plan(session, plan_id=plan_id, if_match=if_match)
    return no_content()


@router.get(
    "/{plan_id}/obligations",
    summary="Reports owed in this plan",
    response_model=Page[Obligation],
    responses=problems(404),
    description="Each lead unit owes, for every indicator of its task, one report per period "
    "of the indicator's frequency, due at the period's end plus the plan's grace days. "
    "status: upcoming, due, overdue (no report yet), or the report's submitted / approved / "
    "returned. Cursor-paged in period order (then task, indicator, unit).",
)
async def list_plan_obligations(
    session: Session,
    _: CurrentPrincipal,
    plan_id: PlanId,
    query: Annotated[ObligationQuery, Query()],
) -> Response:
    await service.get_plan(session, plan_id=plan_id)  # 404 for an unknown plan
    page = await obligations.obligation_page(session, plan_id=plan_id, query=query)
    return json_response(page)
