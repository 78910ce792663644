from fastapi import APIRouter
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Reporter, Supervisor
from app.deps import IfMatch, Session
from app.http import item_response, json_response, problems
from app.reports import service
from app.reports.schemas import (
    ReportCreate,
    ReportHistory,
    ReportHistoryItem,
    ReportId,
    ReportQuery,
    ReportRead,
    ReportReview,
    ReportUpdate,
)
from app.routing import CrudRoutes, TransactionalRoute

router = APIRouter(
    prefix="/indicator-reports", tags=["indicator-reports"], route_class=TransactionalRoute
)
reports = CrudRoutes(router, ReportRead, id=("report_id", ReportId))

reports.list(service.list_reports, ReportQuery, summary="List indicator reports")
reports.create(
    service.create_report,
    ReportCreate,
    role=Reporter,
    summary="Create an indicator report",
    description="The unit must lead or take part in the indicator's task, itself or through a "
    "group it belongs to: otherwise 422 `not_responsible`, whoever sends it. A reporter key "
    "reports only for its own unit.",
)
reports.get(service.get_report, summary="Get an indicator report")
reports.update(
    service.update_report, ReportUpdate, role=Reporter, summary="Change an indicator report"
)
reports.delete(
    service.delete_report,
    role=Reporter,
    summary="Delete an indicator report",
    description="Refused (409) once the report is approved.",
)


@router.post(
    "/{report_id}/review",
    summary="Review an indicator report",
    response_model=ReportRead,
    responses=problems(400, 403, 404, 409, 412),
    description="approve: submitted → approved (locked; not by whoever submitted the value). "
    "return: submitted → returned, with a comment; the unit corrects it by PATCH and it is "
    "submitted again. reopen: approved → submitted.",
)
async def review_report(
    session: Session,
    principal: Supervisor,
    report_id: ReportId,
    body: ReportReview,
    if_match: IfMatch = None,
) -> Response:
    report = await service.review_report(
        session,
        report_id=report_id,
        decision=body.decision,
        comment=body.comment,
        if_match=if_match,
        actor=principal,
    )
    return item_response(ReportRead, report)


@router.get(
    "/{report_id}/history",
    summary="Every change of an indicator report",
    response_model=ReportHistory,
    responses=problems(404),
)
async def get_report_history(
    session: Session, _: CurrentPrincipal, report_id: ReportId
) -> Response:
    events = await service.report_history(session, report_id=report_id)
    return json_response(ReportHistory(items=[ReportHistoryItem.model_validate(e) for e in events]))
