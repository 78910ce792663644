from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Supervisor
from app.deps import Session
from app.http import json_response, problems
from app.pagination import Page
from app.plans import service
from app.plans.schemas import PlanCreate, PlanId, PlanQuery, PlanRead, PlanUpdate
from app.reports import obligations
from app.reports.obligations import Obligation, ObligationQuery
from app.routing import CrudRoutes, TransactionalRoute

router = APIRouter(prefix="/plans", tags=["plans"], route_class=TransactionalRoute)
plans = CrudRoutes(router, PlanRead, id=("plan_id", PlanId))

plans.list(service.list_plans, PlanQuery, summary="List plans")
plans.create(service.create_plan, PlanCreate, role=Supervisor, summary="Create a plan")
plans.get(service.get_plan, summary="Get a plan")
plans.update(service.update_plan, PlanUpdate, role=Supervisor, summary="Change a plan")
plans.delete(
    service.delete_plan,
    role=Supervisor,
    summary="Delete a plan",
    description="Refused (409) while the plan still has tasks or indicators.",
)


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
