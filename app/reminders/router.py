"""催办: the office reminds a unit of reports it owes; the unit replies."""

from fastapi import APIRouter
from starlette.responses import Response

from app.auth.deps import Reporter, Supervisor
from app.deps import Session
from app.http import item_response, problems
from app.reminders import service
from app.reminders.schemas import (
    ReminderCreate,
    ReminderId,
    ReminderQuery,
    ReminderRead,
    ReminderReply,
)
from app.routing import CrudRoutes, TransactionalRoute

router = APIRouter(prefix="/reminders", tags=["reminders"], route_class=TransactionalRoute)
reminders = CrudRoutes(router, ReminderRead, id=("reminder_id", ReminderId))

reminders.list(
    service.list_reminders,
    ReminderQuery,
    summary="List reminders (催办)",
    errors=(403,),
    description="Oldest first. A reporter key sees only the reminders sent to its unit.",
)
reminders.create(
    service.create_reminder,
    ReminderCreate,
    role=Supervisor,
    summary="Remind a unit (催办)",
    errors=(400, 403),
    description="Name the obligations (indicator and period) the unit is reminded of, or leave "
    "`obligations` out for everything it has overdue now (in `plan_id`, if given). Each must "
    "be owed by the unit and not yet put forward. The reminder keeps the obligations as they "
    "stood; it appears in the change feed as `reminder.sent`.",
)
reminders.get(service.get_reminder, summary="Get a reminder", errors=(403, 404))


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
