"""Time-driven events of obligations, each announced once however many replicas run this:
``obligation.due_soon`` when an unreported obligation comes within its plan's ``due_soon_days``
of its due date, ``obligation.overdue`` when it passes the date unreported, and, for plans with
``auto_remind``, a reminder (催办) to the unit at either moment.

One statement per kind finds the obligations, records each in ``obligation_events``
(``ON CONFLICT DO NOTHING`` on its unique key: a replica racing another waits for the other's
commit, then inserts nothing), appends an audit event for each row it did insert and returns
those rows — so the feed event and the "emitted" mark commit together or not at all, and the
reminders made from the rows returned are made by one replica only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.obligations import service as obligation_service
from app.reminders import service as reminder_service
from app.reminders.schemas import ReminderObligation

# How far back a pass looks for what fell overdue: a worker down for up to this long still
# emits it; older obligations (history when the service is first deployed) are not announced.
LOOKBACK_DAYS = 7
ENTITY_TYPE = "obligation"
OVERDUE = "overdue"
DUE_SOON = "due_soon"

# Which obligations of `settled` (joined to their plan `pl`) a kind announces. Due soon: nothing
# put forward, the period begun, the due date at most the plan's `due_soon_days` away (a
# worker that was down still announces it until the date passes).
_WHEN = {
    OVERDUE: "s.status = 'overdue' "
    "AND s.due_on >= CAST(:as_of AS date) - CAST(:lookback AS integer)",
    DUE_SOON: "s.status IN ('upcoming', 'due') AND pl.due_soon_days IS NOT NULL "
    "AND s.period_start <= CAST(:as_of AS date) "
    "AND s.due_on - pl.due_soon_days <= CAST(:as_of AS date)",
}
_EMIT = """,
    fresh AS (
        INSERT INTO obligation_events (indicator_id, unit_id, period, kind, due_on)
        SELECT s.indicator_id, s.unit_id, s.period, '{kind}', s.due_on
        FROM settled s JOIN plans pl ON pl.id = s.plan_id
        WHERE {when}
        ORDER BY s.indicator_id, s.unit_id, s.period
        ON CONFLICT (indicator_id, unit_id, period, kind, due_on) DO NOTHING
        RETURNING id, indicator_id, unit_id, period, due_on
    ),
    announced AS (
        INSERT INTO audit_events (actor_key_id, actor_name, action, entity_type, entity_id,
                                  changes)
        SELECT NULL, 'system', '{kind}', 'obligation', f.id, jsonb_build_object(
            'indicator_id', jsonb_build_array(NULL, f.indicator_id),
            'unit_id', jsonb_build_array(NULL, f.unit_id),
            'period', jsonb_build_array(NULL, f.period),
            'due_on', jsonb_build_array(NULL, f.due_on))
        FROM fresh f ORDER BY f.id
    )
    SELECT f.indicator_id, f.unit_id, f.period, f.due_on, s.status, s.plan_id,
        pl.auto_remind AND pl.status = 'active' AS auto_remind  -- a closed plan nags nobody
    FROM fresh f
    JOIN settled s ON (s.indicator_id, s.unit_id, s.period) = (f.indicator_id, f.unit_id, f.period)
    JOIN plans pl ON pl.id = s.plan_id
    ORDER BY f.id
"""
# `kind` and `when` are this module's constants; values travel as bound parameters.
_STATEMENTS = {
    kind: text(
        obligation_service.obligations_sql("true", _EMIT.format(kind=kind, when=when), known=False)
    )
    for kind, when in _WHEN.items()
}


@dataclass(frozen=True)
class Emitted:
    """What one pass announced: events by kind and the reminders sent."""

    due_soon: int
    overdue: int
    reminders: int


async def _announce(session: AsyncSession, kind: str, *, as_of: date) -> list[Any]:
    result = await session.execute(
        _STATEMENTS[kind],
        {**obligation_service.params(as_of=as_of, known_at=None), "lookback": LOOKBACK_DAYS},
    )
    return list(result)


async def emit_overdue(session: AsyncSession, *, as_of: date) -> int:
    """Emit ``obligation.overdue`` for each obligation overdue at ``as_of`` (due within the
    last ``LOOKBACK_DAYS``) not yet announced, without reminders (``emit`` sends those); the
    caller commits. Returns how many."""
    return len(await _announce(session, OVERDUE, as_of=as_of))


async def emit_due_soon(session: AsyncSession, *, as_of: date) -> int:
    """Emit ``obligation.due_soon`` for each unreported obligation within its plan's
    ``due_soon_days`` of its due date at ``as_of`` and not yet announced, without reminders;
    the caller commits. Returns how many."""
    return len(await _announce(session, DUE_SOON, as_of=as_of))


async def emit(session: AsyncSession, *, as_of: date) -> Emitted:
    """Both kinds, and for plans with ``auto_remind`` one reminder per unit and plan naming the
    obligations this pass announced for it; the caller commits."""
    overdue = await _announce(session, OVERDUE, as_of=as_of)
    due_soon = await _announce(session, DUE_SOON, as_of=as_of)
    by_addressee: dict[tuple[int, int], list[ReminderObligation]] = {}
    for row in overdue + due_soon:
        if row.auto_remind:
            by_addressee.setdefault((row.unit_id, row.plan_id), []).append(
                ReminderObligation(
                    indicator_id=row.indicator_id,
                    period=row.period,
                    due_on=row.due_on,
                    status=row.status,
                )
            )
    for (unit_id, plan_id), owed in sorted(by_addressee.items()):
        await reminder_service.send_automatic_reminder(
            session, unit_id=unit_id, plan_id=plan_id, obligations=owed, as_of=as_of
        )
    return Emitted(due_soon=len(due_soon), overdue=len(overdue), reminders=len(by_addressee))
