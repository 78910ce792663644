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
from app.reports import obligations
from app.reports.obligations import Obligation, ObligationQuery
from app.routing import TransactionalRoute
from app.types import MAX_ID
from app.units import service
from app.units.schemas import UnitCreate, UnitQuery, UnitRead, UnitUpdate

router = APIRouter(prefix="/units", tags=["units"], route_class=TransactionalRoute)
UnitId = Annotated[int, Path(ge=1, le=MAX_ID, description="Unit id.")]


@router.get("", summary="List units", response_model=Page[UnitRead], responses=problems())
async def list_units(
    session: Session, _: CurrentPrincipal, query: Annotated[UnitQuery, Query()]
) -> Response:
    rows, cursor = await service.list_units(session, query=query, page=query.page())
    return page_response(UnitRead, rows, cursor)


@router.post(
    "",
    summary="Create a unit",
    status_code=201,
    response_model=UnitRead,
    responses=problems(400, 409),
)
async def create_unit(session: Session, _: Supervisor, body: UnitCreate) -> Response:
    unit = await service.create_unit(session, data=body)
    return created_response(UnitRead, unit, collection="units")


@router.get("/{unit_id}", summary="Get a unit", response_model=UnitRead, responses=problems(404))
async def get_unit(session: Session, _: CurrentPrincipal, unit_id: UnitId) -> Response:
    return item_response(UnitRead, await service.get_unit(session, unit_id=unit_id))


@router.patch(
    "/{unit_id}",
    summary="Change a unit",
    response_model=UnitRead,
    responses=problems(400, 404, 409, 412),
)
async def update_unit(
    session: Session,
    _: Supervisor,
    unit_id: UnitId,
    body: UnitUpdate,
    if_match: IfMatch = None,
) -> Response:
    unit = await service.update_unit(session, unit_id=unit_id, data=body, if_match=if_match)
    return item_response(UnitRead, unit)


@router.delete(
    "/{unit_id}",
    summary="Delete a unit",
    status_code=204,
    response_class=Response,
    responses=problems(404, 409, 412),
    description="Refused (409) while responsibilities, reports, member units or keys use it.",
)
async def delete_unit(
    session: Session, _: Supervisor, unit_id: UnitId, if_match: IfMatch = None
) -> Response:
    await service.delete_unit(session, unit_id=unit_id, if_match=if_match)
    return no_content()


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
