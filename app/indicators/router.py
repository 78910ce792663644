from fastapi import APIRouter

from app.auth.deps import Supervisor
from app.indicators import service
from app.indicators.progress import ABOUT_TOLERANCE
from app.indicators.schemas import (
    IndicatorCreate,
    IndicatorId,
    IndicatorProgress,
    IndicatorQuery,
    IndicatorRead,
    IndicatorUpdate,
)
from app.routing import CrudRoutes, TransactionalRoute, as_of_route

router = APIRouter(prefix="/indicators", tags=["indicators"], route_class=TransactionalRoute)
indicators = CrudRoutes(router, IndicatorRead, id=("indicator_id", IndicatorId))

indicators.list(service.list_indicators, IndicatorQuery, summary="List indicators")
indicators.create(
    service.create_indicator, IndicatorCreate, role=Supervisor, summary="Create an indicator"
)
indicators.get(service.get_indicator, summary="Get an indicator")
indicators.update(
    service.update_indicator, IndicatorUpdate, role=Supervisor, summary="Change an indicator"
)
indicators.delete(
    service.delete_indicator,
    role=Supervisor,
    summary="Delete an indicator",
    description="Refused (409) while it has reports.",
)


as_of_route(
    router,
    "/{indicator_id}/progress",
    service.indicator_progress,
    id=("indicator_id", IndicatorId),
    name="get_indicator_progress",
    response_model=IndicatorProgress,
    summary="Progress of an indicator at a date",
    description="actual (submitted + approved reports whose period has started by `as_of`; "
    "drafts and returned reports do not count), approved_actual, expected (the target "
    "scaled by the elapsed share of the plan year) and status: achieved, on_track "
    "(actual ≥ expected), at_risk (≥ 80 % of expected), behind, or no_data. `lte` targets "
    "(零事故) are behind as soon as they are exceeded. `about` targets (左右, 约) are achieved "
    f"within {ABOUT_TOLERANCE:.0%} of the target's magnitude below it (or above it), and paced "
    "towards that floor before.",
)
