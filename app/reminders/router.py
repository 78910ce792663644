"""催办: the office reminds a unit of reports it owes; the unit replies."""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal, Reporter, Supervisor
from app.deps import Session
from app.http import created_response, item_response, page_response, problems
from app.pagination import Page
from app.reminders import service
from app.reminders.schemas import (
    ReminderCreate,
    ReminderId,
    ReminderQuery,
    ReminderRead,
    ReminderReply,
)
from app.routing import TransactionalRoute

router = APIRouter(prefix="/reminders", tags=["reminders"], route_class=TransactionalRoute)


@router.get(
    "",
    summary="List reminders (催办)",
    response_model=Page[ReminderRead],
    responses=problems(403),
    description="Oldest first. A reporter key sees only the reminders sent to its unit.",
)
async def list_reminders(
    session: Session, principal: CurrentPrincipal, query: Annotated[ReminderQuery, Query()]
) -> Response:
    rows, cursor = await service.list_reminders(
        session, query=query, page=query.page(), actor=principal
    )
    return page_response(ReminderRead, rows, cursor)


@router.post(
    "",
    summary="Remind a unit (催办)",
    status_code=201,
    response_model=ReminderRead,
    responses=problems(400, 403),
    description="Name the obligations (indicator and period) the unit is reminded of, or leave "
    "`obligations` out for everything it has overdue now (in `plan_id`, if given). Each must "
    "be owed by the unit and not yet put forward. The reminder keeps the obligations as they "
    "stood; it appears in the change feed as `reminder.sent`.",
)
async def create_reminder(
    session: Session, principal: Supervisor, body: ReminderCreate
) -> Response:
    reminder = await service.create_reminder(session, data=body, actor=principal)
    return created_response(ReminderRead, reminder, collection="reminders")


@router.get(
    "/{reminder_id}",
    summary="Get a reminder",
    response_model=ReminderRead,
    responses=problems(403, 404),
)
async def get_reminder(
    session: Session, principal: CurrentPrincipal, reminder_id: ReminderId
) -> Response:
    reminder = await service.get_reminder(session, reminder_id=reminder_id, actor=principal)
    return item_response(ReminderRead, reminder)


@router.post(
    "/{reminder_id}/reply",
    summary="Answer a reminder",
    response_model=ReminderRead,
    responses=problems(400, 403, 404, 409),
    description="The unit's answer, once: a reporter key of the reminded unit, or the office. "
    "`replied_at` is recorded; answering after `reply_by` counts as late on the unit's "
    "scorecard. Appears in the change feed as `reminder.replied`.",
)
async def reply_to_reminder(
    session: Session, principal: Reporter, reminder_id: ReminderId, body: ReminderReply
) -> Response:
    reminder = await service.reply_to_reminder(
        session, reminder_id=reminder_id, data=body, actor=principal
    )
    return item_response(ReminderRead, reminder)
