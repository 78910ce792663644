from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Supervisor
from app.deps import Session
from app.http import json_response, problems
from app.pagination import Page
from app.reports import obligations
from app.reports.obligations import Obligation, ObligationQuery
from app.routing import CrudRoutes, TransactionalRoute
from app.units import service
from app.units.schemas import UnitCreate, UnitId, UnitQuery, UnitRead, UnitUpdate

router = APIRouter(prefix="/units", tags=["units"], route_class=TransactionalRoute)
units = CrudRoutes(router, UnitRead, id=("unit_id", UnitId))

units.list(service.list_units, UnitQuery, summary="List units")
units.create(service.create_unit, UnitCreate, role=Supervisor, summary="Create a unit")
units.get(service.get_unit, summary="Get a unit")
units.update(service.update_unit, UnitUpdate, role=Supervisor, summary="Change a unit")
units.delete(
    service.delete_unit,
    role=Supervisor,
    summary="Delete a unit",
    description="Refused (409) while responsibilities, reports, member units or keys use it.",
)


@router.get(
    "/{unit_id}/obligations",
    summary="Reports owed by this unit",
    response_model=Page[Obligation],
    responses=problems(404),
    description="Each lead unit owes, for every indicator of its task, one report per period "
    "of the indicator's frequency, due at the period's end plus the plan's grace days. "
    "status: upcoming, due, overdue (no report yet), or the report's submitted / approved / "
    "returned. Cursor-paged in period order (then task, indicator, unit).",
)
async def list_unit_obligations(
    session: Session,
    _: CurrentPrincipal,
    unit_id: UnitId,
    query: Annotated[ObligationQuery, Query()],
) -> Response:
    await service.get_unit(session, unit_id=unit_id)  # 404 for an unknown unit
    page = await obligations.obligation_page(session, unit_id=unit_id, query=query)
    return json_response(page)
