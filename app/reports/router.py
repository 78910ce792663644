from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Reporter, Supervisor
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
from app.reports import service
from app.reports.schemas import (
    ReportCreate,
    ReportHistory,
    ReportHistoryItem,
    ReportQuery,
    ReportRead,
    ReportReview,
    ReportUpdate,
)
from app.routing import TransactionalRoute
from app.types import MAX_ID

router = APIRouter(
    prefix="/indicator-reports", tags=["indicator-reports"], route_class=TransactionalRoute
)
ReportId = Annotated[int, Path(ge=1, le=MAX_ID, description="Indicator report id.")]


@router.get(
    "", summary="List indicator reports", response_model=Page[ReportRead], responses=problems()
)
async def list_reports(
    session: Session, _: CurrentPrincipal, query: Annotated[ReportQuery, Query()]
) -> Response:
    rows, cursor = await service.list_reports(session, query=query, page=query.page())
    return page_response(ReportRead, rows, cursor)


@router.post(
    "",
    summary="Create an indicator report",
    status_code=201,
    response_model=ReportRead,
    responses=problems(400, 409),
    description="The unit must lead or take part in the indicator's task, itself or through a "
    "group it belongs to: otherwise 422 `not_responsible`, whoever sends it. A reporter key "
    "reports only for its own unit.",
)
async def create_report(session: Session, principal: Reporter, body: ReportCreate) -> Response:
    report = await service.create_report(session, data=body, actor=principal)
    return created_response(ReportRead, report, collection="indicator-reports")


@router.get(
    "/{report_id}",
    summary="Get an indicator report",
    response_model=ReportRead,
    responses=problems(404),
)
async def get_report(session: Session, _: CurrentPrincipal, report_id: ReportId) -> Response:
    return item_response(ReportRead, await service.get_report(session, report_id=report_id))


@router.patch(
    "/{report_id}",
    summary="Change an indicator report",
    response_model=ReportRead,
    responses=problems(400, 404, 409, 412),
)
async def update_report(
    session: Session,
    principal: Reporter,
    report_id: ReportId,
    body: ReportUpdate,
    if_match: IfMatch = None,
) -> Response:
    report = await service.update_report(
        session, report_id=report_id, data=body, if_match=if_match, actor=principal
    )
    return item_response(ReportRead, report)


@router.delete(
    "/{report_id}",
    summary="Delete an indicator report",
    status_code=204,
    response_class=Response,
    responses=problems(404, 409, 412),
    description="Refused (409) once the report is approved.",
)
async def delete_report(
    session: Session, principal: Reporter, report_id: ReportId, if_match: IfMatch = None
) -> Response:
    await service.delete_report(session, report_id=report_id, if_match=if_match, actor=principal)
    return no_content()


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
