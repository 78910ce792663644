from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from app import clock
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
from app.indicators import service
from app.indicators.progress import ABOUT_TOLERANCE
from app.indicators.schemas import (
    IndicatorCreate,
    IndicatorProgress,
    IndicatorQuery,
    IndicatorRead,
    IndicatorUpdate,
)
from app.pagination import Page
from app.reports.known import AsOfParam, KnownAtParam
from app.routing import TransactionalRoute
from app.types import MAX_ID

router = APIRouter(prefix="/indicators", tags=["indicators"], route_class=TransactionalRoute)
IndicatorId = Annotated[int, Path(ge=1, le=MAX_ID, description="Indicator id.")]


@router.get("", summary="List indicators", response_model=Page[IndicatorRead], responses=problems())
async def list_indicators(
    session: Session, _: CurrentPrincipal, query: Annotated[IndicatorQuery, Query()]
) -> Response:
    rows, cursor = await service.list_indicators(session, query=query, page=query.page())
    return page_response(IndicatorRead, rows, cursor)


@router.post(
    "",
    summary="Create an indicator",
    status_code=201,
    response_model=IndicatorRead,
    responses=problems(400, 409),
)
async def create_indicator(session: Session, _: Supervisor, body: IndicatorCreate) -> Response:
    indicator = await service.create_indicator(session, data=body)
    return created_response(IndicatorRead, indicator, collection="indicators")


@router.get(
    "/{indicator_id}",
    summary="Get an indicator",
    response_model=IndicatorRead,
    responses=problems(404),
)
async def get_indicator(
    session: Session, _: CurrentPrincipal, indicator_id: IndicatorId
) -> Response:
    return item_response(
        IndicatorRead, await service.get_indicator(session, indicator_id=indicator_id)
    )


@router.patch(
    "/{indicator_id}",
    summary="Change an indicator",
    response_model=IndicatorRead,
    responses=problems(400, 404, 409, 412),
)
async def update_indicator(
    session: Session,
    _: Supervisor,
    indicator_id: IndicatorId,
    body: IndicatorUpdate,
    if_match: IfMatch = None,
) -> Response:
    indicator = await service.update_indicator(
        session, indicator_id=indicator_id, data=body, if_match=if_match
    )
    return item_response(IndicatorRead, indicator)


@router.delete(
    "/{indicator_id}",
    summary="Delete an indicator",
    status_code=204,
    response_class=Response,
    responses=problems(404, 409, 412),
    description="Refused (409) while it has reports.",
)
async def delete_indicator(
    session: Session, _: Supervisor, indicator_id: IndicatorId, if_match: IfMatch = None
) -> Response:
    await service.delete_indicator(session, indicator_id=indicator_id, if_match=if_match)
    return no_content()


@router.get(
    "/{indicator_id}/progress",
    summary="Progress of an indicator at a date",
    response_model=IndicatorProgress,
    responses=problems(404),
    description="actual (submitted + approved reports whose period has started by `as_of`; "
    "drafts and returned reports do not count), approved_actual, expected (the target "
    "scaled by the elapsed share of the plan year) and status: achieved, on_track "
    "(actual ≥ expected), at_risk (≥ 80 % of expected), behind, or no_data. `lte` targets "
    "(零事故) are behind as soon as they are exceeded. `about` targets (左右, 约) are achieved "
    f"within {ABOUT_TOLERANCE:.0%} of the target's magnitude below it (or above it), and paced "
    "towards that floor before.",
)
async def get_indicator_progress(
    session: Session,
    _: CurrentPrincipal,
    indicator_id: IndicatorId,
    as_of: AsOfParam = None,
    known_at: KnownAtParam = None,
) -> Response:
    result = await service.indicator_progress(
        session, indicator_id=indicator_id, as_of=as_of or clock.today(), known_at=known_at
    )
    return json_response(result)
