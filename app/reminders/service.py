"""催办: the office reminds a unit of reports it owes; the unit answers by a date."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.audit import service as audit_service
from app.auth.scope import reporter_unit
from app.auth.service import Principal
from app.crud import (
    Record,
    change_entity,
    equal_filters,
    get_or_404,
    get_row_or_404,
    list_page,
    new_entity,
    require_reference,
)
from app.errors import Conflict, Forbidden, InvalidInput
from app.i18n import say
from app.indicators.models import Indicator
from app.obligations import service as obligation_service
from app.obligations.schemas import Obligation
from app.pagination import PageParams
from app.plans.models import Plan
from app.reminders import texts
from app.reminders.models import Reminder
from app.reminders.schemas import (
    ReminderCreate,
    ReminderObligation,
    ReminderQuery,
    ReminderRecord,
    ReminderReply,
)
from app.units.models import Unit

# A reminder asks for a report still to come: one already put forward (and not sent back) is
# not something to chase.
_REMINDABLE = {"upcoming", "due", "overdue", "returned"}


async def list_reminders(
    session: AsyncSession, *, query: ReminderQuery, page: PageParams, actor: Principal
) -> tuple[list[Record], str | None]:
    """Newest last; a reporter sees only its own unit's."""
    filters = equal_filters(Reminder, query, "unit_id", "plan_id", "status")
    if (unit := reporter_unit(actor)) is not None:
        filters.append(Reminder.unit_id == unit)
    return await list_page(session, Reminder, page, *filters)


async def get_reminder(session: AsyncSession, *, reminder_id: int, actor: Principal) -> Record:
    row = await get_row_or_404(session, Reminder, reminder_id)
    _ensure_own(actor, row.unit_id, reminder_id)
    return row


def _ensure_own(actor: Principal, unit_id: int, reminder_id: int) -> None:
    unit = reporter_unit(actor)
    if unit is not None and unit != unit_id:
        raise Forbidden(f"reminder {reminder_id} was sent to another unit, not yours")


async def _owed(session: AsyncSession, *, data: ReminderCreate, today: date) -> list[Obligation]:
    if data.obligations is None:
        if data.plan_id is not None:
            owed = await obligation_service.plan_obligations(
                session, plan_id=data.plan_id, as_of=today, status="overdue"
            )
            owed = [o for o in owed if o.unit_id == data.unit_id]
        else:
            owed = await obligation_service.unit_obligations(
                session, unit_id=data.unit_id, as_of=today, status="overdue"
            )
        if not owed:
            raise InvalidInput(
                f"unit {data.unit_id} has nothing overdue to remind it of",
                errors=[{"pointer": "#/obligations", "detail": "nothing overdue"}],
            )
        return owed
    if not data.obligations:
        raise InvalidInput(
            "name at least one obligation, or leave `obligations` out for everything overdue",
            errors=[{"pointer": "#/obligations", "detail": "empty"}],
        )
    owed_by_unit = {
        (o.indicator_id, o.period): o
        for o in await obligation_service.unit_obligations(
            session, unit_id=data.unit_id, as_of=today, status=None
        )
    }
    chosen: dict[tuple[int, str], Obligation] = {}
    for i, ref in enumerate(data.obligations):
        found = owed_by_unit.get((ref.indicator_id, ref.period))
        if found is None:
            detail = f"unit {data.unit_id} owes no report on indicator {ref.indicator_id} for "
            raise InvalidInput(
                detail + ref.period,
                errors=[{"pointer": f"#/obligations/{i}", "detail": "not an obligation"}],
            )
        if found.status not in _REMINDABLE:
            raise InvalidInput(
                f"indicator {ref.indicator_id} {ref.period} is already {found.status}",
                errors=[{"pointer": f"#/obligations/{i}", "detail": f"already {found.status}"}],
            )
        chosen[(ref.indicator_id, ref.period)] = found
    return list(chosen.values())


async def create_reminder(
    session: AsyncSession, *, data: ReminderCreate, actor: Principal
) -> Reminder:
    """Remind a unit of the obligations named, or of everything it has overdue now."""
    await require_reference(session, Unit, data.unit_id, field="unit_id")
    if data.plan_id is not None:
        await require_reference(session, Plan, data.plan_id, field="plan_id")
    today = clock.today()
    if data.reply_by < today:
        raise InvalidInput(
            f"reply_by {data.reply_by} has already passed",
            errors=[{"pointer": "#/reply_by", "detail": "in the past"}],
        )
    owed = await _owed(session, data=data, today=today)
    plans = dict(
        (
            await session.execute(
                select(Indicator.id, Indicator.plan_id).where(
                    Indicator.id.in_({o.indicator_id for o in owed})
                )
            )
        ).all()
    )
    plan_ids = {plans[o.indicator_id] for o in owed}
    if data.plan_id is not None and plan_ids != {data.plan_id}:
        raise InvalidInput(
            f"some obligations named are not in plan {data.plan_id}",
            errors=[{"pointer": "#/obligations", "detail": "another plan"}],
        )
    message = data.message or say(
        texts.MESSAGE, "default", reply_by=data.reply_by.isoformat(), count=len(owed)
    )
    return await _send(
        session,
        {
            "unit_id": data.unit_id,
            "plan_id": plan_ids.pop() if len(plan_ids) == 1 else None,
            "obligations": [
                {
                    "indicator_id": o.indicator_id,
                    "period": o.period,
                    "due_on": o.due_on.isoformat(),
                    "status": o.status,
                }
                for o in owed
            ],
            "message": message,
            "reply_by": data.reply_by,
            "sent_by": actor.name,
        },
    )


async def _send(session: AsyncSession, values: dict[str, Any]) -> Reminder:
    reminder = new_entity(Reminder, values)
    session.add(reminder)
    audit_service.name_action(session, reminder, "send")  # the feed says reminder.sent
    await session.flush()
    return reminder


# An automatic reminder of reports already overdue asks for them within this many days.
AUTO_REPLY_DAYS = 3


async def send_automatic_reminder(
    session: AsyncSession,
    *,
    unit_id: int,
    plan_id: int,
    obligations: list[ReminderObligation],
    as_of: date,
) -> Reminder:
    """A reminder the worker sends (sender ``system``) for obligations of one plan that just fell
    due soon or overdue; audited and in the feed as any reminder. The caller makes sure it is
    sent once (app/obligations/timed.py)."""
    upcoming = [o.due_on for o in obligations if o.due_on >= as_of]
    reply_by = min(upcoming) if upcoming else as_of + timedelta(days=AUTO_REPLY_DAYS)
    return await _send(
        session,
        {
            "unit_id": unit_id,
            "plan_id": plan_id,
            "obligations": [o.model_dump(mode="json") for o in obligations],
            "message": say(
                texts.MESSAGE, "automatic", reply_by=reply_by.isoformat(), count=len(obligations)
            ),
            "reply_by": reply_by,
            "sent_by": audit_service.SYSTEM.name,
        },
    )


async def reply_to_reminder(
    session: AsyncSession, *, reminder_id: int, data: ReminderReply, actor: Principal
) -> Reminder:
    """The unit's answer; one per reminder. A reporter answers only its own unit's."""
    reminder = await get_or_404(session, Reminder, reminder_id, for_update=True)
    _ensure_own(actor, reminder.unit_id, reminder_id)
    if reminder.status == "replied":
        raise Conflict(f"reminder {reminder_id} was already answered at {reminder.replied_at}")
    audit_service.name_action(session, reminder, "reply")
    return await change_entity(
        session,
        reminder,
        {
            "status": "replied",
            "reply_message": data.message,
            "replied_at": clock.now(),
            "replied_by": actor.name,
        },
    )


# On the offices' calendar (LUOSHI_TIMEZONE), like report punctuality.
_RECORD = text(
    """
    SELECT count(*) AS received,
           count(*) FILTER (WHERE answered) AS answered,
           count(*) FILTER (WHERE answered AND replied_on > reply_by
                            OR NOT answered AND reply_by < CAST(:as_of AS date)) AS answered_late
    FROM (
        SELECT reply_by,
               (replied_at AT TIME ZONE CAST(:tz AS text))::date AS replied_on,
               COALESCE((replied_at AT TIME ZONE CAST(:tz AS text))::date
                        <= CAST(:as_of AS date)
                        AND (CAST(:known_at AS timestamptz) IS NULL
                             OR replied_at <= CAST(:known_at AS timestamptz)), false) AS answered
        FROM reminders
        WHERE unit_id = :unit_id
          AND (created_at AT TIME ZONE CAST(:tz AS text))::date <= CAST(:as_of AS date)
          AND (CAST(:known_at AS timestamptz) IS NULL
               OR created_at <= CAST(:known_at AS timestamptz))
    ) r
    """
)


async def unit_record(
    session: AsyncSession, *, unit_id: int, as_of: date, known_at: datetime | None = None
) -> ReminderRecord:
    """How often the unit was reminded by ``as_of``, and how many it answered late."""
    row = (
        await session.execute(
            _RECORD,
            {"unit_id": unit_id, "as_of": as_of, "tz": clock.zone(), "known_at": known_at},
        )
    ).one()
    return ReminderRecord(
        received=row.received, answered=row.answered, answered_late=row.answered_late
    )
