from typing import Annotated, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from starlette.responses import Response

from app import clock
from app.auth.deps import CurrentPrincipal
from app.deps import Session
from app.http import problems
from app.i18n import say
from app.overview import ledger, service
from app.overview.schemas import PlanDashboard, UnitScorecard
from app.plans.schemas import PlanId
from app.reports.known import AsOfParam, KnownAtParam
from app.routing import TransactionalRoute, as_of_route
from app.units.schemas import UnitId

router = APIRouter(tags=["overview"], route_class=TransactionalRoute)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


as_of_route(
    router,
    "/plans/{plan_id}/dashboard",
    service.plan_dashboard,
    id=("plan_id", PlanId),
    name="get_plan_dashboard",
    response_model=PlanDashboard,
    summary="A plan at a glance",
    description="Tasks by status and health, indicators by status, overdue milestones, reports "
    "owed by status and the units most overdue, and each key task's health — all at `as_of`.",
)
as_of_route(
    router,
    "/units/{unit_id}/scorecard",
    service.unit_scorecard,
    id=("unit_id", UnitId),
    name="get_unit_scorecard",
    response_model=UnitScorecard,
    summary="A unit's record",
    description="The tasks the unit leads and joins (directly or through a group), with their "
    "health; how punctually it has reported (reports whose due date has passed, first "
    "submitted on or before it); what it has overdue now.",
)


@router.get(
    "/plans/{plan_id}/ledger",
    summary="The plan's ledger (台账) as a spreadsheet",
    response_class=Response,
    responses={
        200: {
            "description": "One row per task: number, title, lead and participating units, due "
            "date, status, health, each indicator's target / actual / status, the latest "
            "progress note and the reasons for any warning. Chinese headers.",
            "content": {
                XLSX: {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "\ufeff序号,类别,工作任务,…\r\n1,重点工作,加强政治建设,…\r\n",
                },
            },
        },
        **problems(404),
    },
    description="`format=xlsx` (default) gives a printable workbook; `format=csv` a UTF-8 file "
    "with a byte-order mark, which Excel opens with the Chinese text intact. Text that would "
    "read as a spreadsheet formula is kept as text.",
)
async def get_plan_ledger(
    session: Session,
    _: CurrentPrincipal,
    plan_id: PlanId,
    as_of: AsOfParam = None,
    known_at: KnownAtParam = None,
    format: Annotated[Literal["xlsx", "csv"], Query(description="File format.")] = "xlsx",
) -> Response:
    day = as_of or clock.today()
    plan, rows = await service.ledger_rows(session, plan_id=plan_id, as_of=day, known_at=known_at)
    if format == "csv":
        body, media_type = ledger.to_csv(rows), CSV
    else:
        if known_at is None:
            title = say(ledger.TITLE, "title", plan=plan.title, as_of=day.isoformat())
        else:
            moment = known_at.astimezone(ZoneInfo(clock.zone())).strftime("%Y-%m-%d %H:%M:%S")
            title = say(
                ledger.TITLE, "title_known", plan=plan.title, as_of=day.isoformat(), known_at=moment
            )
        body = ledger.to_xlsx(rows, title=title)
        media_type = XLSX
    filename = f"{plan.title}-台账-{day.isoformat()}.{format}"
    fallback = f"ledger-plan-{plan_id}-{day.isoformat()}.{format}"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
