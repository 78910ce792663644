"""The obligations of a plan and of a unit: who owes which report by when."""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal
from app.deps import Session
from app.http import json_response, problems
from app.obligations import service
from app.obligations.schemas import Obligation, ObligationQuery
from app.pagination import Page
from app.plans import service as plan_service
from app.plans.schemas import PlanId
from app.routing import TransactionalRoute
from app.units import service as unit_service
from app.units.schemas import UnitId

router = APIRouter(route_class=TransactionalRoute)
DESCRIPTION = (
    "Who owes a report: the indicator's reporter (a unit, or each member of a group) or else "
    "each lead unit of its task, one report per period of the indicator's frequency, due at "
    "the period's end plus the plan's grace days. status: upcoming, due, overdue (no report "
    "yet), or the report's submitted / approved / returned; `on_time` says whether it was "
    "first put forward by the due date. Cursor-paged in period order (then task, indicator, "
    "unit)."
)


@router.get(
    "/plans/{plan_id}/obligations",
    summary="Reports owed in this plan",
    response_model=Page[Obligation],
    tags=["plans"],
    responses=problems(404),
    description=DESCRIPTION,
)
async def list_plan_obligations(
    session: Session,
    _: CurrentPrincipal,
    plan_id: PlanId,
    query: Annotated[ObligationQuery, Query()],
) -> Response:
    await plan_service.get_plan(session, plan_id=plan_id)  # 404 for an unknown plan
    page = await service.obligation_page(session, plan_id=plan_id, query=query)
    return json_response(page)


@router.get(
    "/units/{unit_id}/obligations",
    summary="Reports owed by this unit",
    response_model=Page[Obligation],
    tags=["units"],
    responses=problems(404),
    description=DESCRIPTION,
)
async def list_unit_obligations(
    session: Session,
    _: CurrentPrincipal,
    unit_id: UnitId,
    query: Annotated[ObligationQuery, Query()],
) -> Response:
    await unit_service.get_unit(session, unit_id=unit_id)  # 404 for an unknown unit
    page = await service.obligation_page(session, unit_id=unit_id, query=query)
    return json_response(page)
