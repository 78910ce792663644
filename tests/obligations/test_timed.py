"""Time-driven events: an obligation falling overdue is announced in the feed once, however
many replicas run the worker."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.audit.models import AuditEvent
from app.auth import service as auth_service
from app.obligations.timed import Emitted, emit, emit_due_soon, emit_overdue
from app.reminders.models import Reminder
from tests.events.test_feed import api, feed_app, read_all, writer
from tests.factories import (
    create_indicator,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)
from tests.helpers import race_two_replicas

__all__ = ["api", "feed_app", "writer"]

# 2024Q2 is due 10 July (grace 10 days): overdue from the 11th.
JULY_12 = date(2024, 7, 12)


async def world(session: AsyncSession) -> dict[str, Any]:
    plan = await create_plan(session, year=2024, report_grace_days=10)
    task = await create_task(session, plan=plan)
    a, b = await create_unit(session), await create_unit(session)
    await create_responsibility(session, task=task, unit=a)
    await create_responsibility(session, task=task, unit=b)
    indicator = await create_indicator(
        session, task=task, frequency="quarterly", target_value=Decimal(10)
    )
    await create_report(session, indicator=indicator, unit=b, period="2024Q2")
    return {"plan": plan, "task": task, "a": a, "b": b, "indicator": indicator}


async def overdue_events(session: AsyncSession) -> list[Any]:
    rows = await session.execute(
        select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.changes)
        .where(AuditEvent.entity_type == "obligation")
        .order_by(AuditEvent.id)
    )
    return list(rows)


class TestEmitOverdue:
    async def test_announces_what_fell_overdue_unreported_once(self, db: AsyncSession) -> None:
        w = await world(db)
        assert await emit_overdue(db, as_of=JULY_12) == 1  # b reported; Q1 is long past
        assert await emit_overdue(db, as_of=JULY_12) == 0
        [event] = await overdue_events(db)
        assert (event.action, event.actor_name) == ("overdue", "system")
        assert event.changes == {
            "indicator_id": [None, w["indicator"].id],
            "unit_id": [None, w["a"].id],
            "period": [None, "2024Q2"],
            "due_on": [None, "2024-07-10"],
        }

    async def test_announced_again_when_a_new_due_date_passes(self, db: AsyncSession) -> None:
        w = await world(db)
        assert await emit_overdue(db, as_of=JULY_12) == 1
        w["plan"].report_grace_days = 15  # the office gives five more days: due 15 July
        await db.flush()
        assert await emit_overdue(db, as_of=date(2024, 7, 15)) == 0
        assert await emit_overdue(db, as_of=date(2024, 7, 16)) == 1
        assert await emit_overdue(db, as_of=date(2024, 7, 16)) == 0
        dates = [e.changes["due_on"][1] for e in await overdue_events(db)]
        assert dates == ["2024-07-10", "2024-07-15"]

    async def test_nothing_before_the_due_date_passes(self, db: AsyncSession) -> None:
        await world(db)
        assert await emit_overdue(db, as_of=date(2024, 7, 10)) == 0
        assert await overdue_events(db) == []


class TestReplicas:
    async def test_two_replicas_at_once_emit_one_event_and_the_feed_shows_it(
        self, writer: AsyncEngine, api: AsyncClient
    ) -> None:
        async with AsyncSession(writer, expire_on_commit=False) as session:
            w = await world(session)
            _, ours = await auth_service.create_api_key(
                session, name="a reporter", role="reporter", unit_id=w["a"].id
            )
            _, theirs = await auth_service.create_api_key(
                session, name="b reporter", role="reporter", unit_id=w["b"].id
            )
            await session.commit()
        # The second waits on the first's uncommitted row, then finds it taken.
        race = await race_two_replicas(writer, lambda s: emit_overdue(s, as_of=JULY_12))
        assert race == (1, 0)

        def announced(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [e for e in events if e["type"] == "obligation.overdue"]

        api.headers["Authorization"] = f"Bearer {ours}"
        events, _ = await read_all(
            api, type="obligation.overdue", until=lambda events: bool(announced(events))
        )
        [event] = announced(events)
        assert event["changes"]["period"] == [None, "2024Q2"]
        assert event["actor"] == {"key_id": None, "name": "system"}
        by_plan, _ = await read_all(
            api, type="obligation.*", plan_id=w["plan"].id, until=lambda e: bool(announced(e))
        )
        assert len(announced(by_plan)) == 1
        api.headers["Authorization"] = f"Bearer {theirs}"
        events, _ = await read_all(api, type="obligation.overdue")
        assert announced(events) == []


# 2024Q2 is due 10 July: with the default 3 days, due soon from the 7th.
JULY_7 = date(2024, 7, 7)


async def events_of(session: AsyncSession, action: str) -> list[Any]:
    return [e for e in await overdue_events(session) if e.action == action]


async def reminders(session: AsyncSession) -> list[Reminder]:
    return list((await session.scalars(select(Reminder).order_by(Reminder.id))).all())


class TestEmitDueSoon:
    async def test_announced_the_plans_days_before_the_due_date_once(
        self, db: AsyncSession
    ) -> None:
        w = await world(db)
        assert await emit_due_soon(db, as_of=date(2024, 7, 6)) == 0
        assert await emit_due_soon(db, as_of=JULY_7) == 1  # b reported Q2; Q3 is due in October
        assert await emit_due_soon(db, as_of=JULY_7) == 0
        assert await emit_due_soon(db, as_of=date(2024, 7, 10)) == 0
        [event] = await events_of(db, "due_soon")
        assert event.actor_name == "system"
        assert event.changes == {
            "indicator_id": [None, w["indicator"].id],
            "unit_id": [None, w["a"].id],
            "period": [None, "2024Q2"],
            "due_on": [None, "2024-07-10"],
        }

    async def test_the_plan_chooses_how_many_days(self, db: AsyncSession) -> None:
        w = await world(db)
        w["plan"].due_soon_days = 10
        await db.flush()
        assert await emit_due_soon(db, as_of=date(2024, 6, 29)) == 0  # the period still runs
        assert await emit_due_soon(db, as_of=date(2024, 7, 1)) == 1

    async def test_none_when_the_plan_turned_it_off(self, db: AsyncSession) -> None:
        w = await world(db)
        w["plan"].due_soon_days = None
        await db.flush()
        assert await emit_due_soon(db, as_of=JULY_7) == 0

    async def test_a_worker_that_was_down_announces_it_until_the_due_date(
        self, db: AsyncSession
    ) -> None:
        await world(db)
        assert await emit_due_soon(db, as_of=date(2024, 7, 10)) == 1

    async def test_nothing_once_reported(self, db: AsyncSession) -> None:
        w = await world(db)
        await create_report(db, indicator=w["indicator"], unit=w["a"], period="2024Q2")
        assert await emit_due_soon(db, as_of=JULY_7) == 0


class TestAutomaticReminders:
    async def test_none_while_the_plan_does_not_ask_for_them(self, db: AsyncSession) -> None:
        await world(db)
        emitted = await emit(db, as_of=JULY_7)
        assert (emitted.due_soon, emitted.reminders) == (1, 0)
        assert await reminders(db) == []

    @pytest.mark.parametrize("status", ["draft", "closed", "archived"])
    async def test_none_for_a_plan_not_in_force(self, db: AsyncSession, status: str) -> None:
        w = await world(db)
        w["plan"].auto_remind, w["plan"].status = True, status
        await db.flush()
        emitted = await emit(db, as_of=JULY_7)
        assert (emitted.due_soon, emitted.reminders) == (1, 0)
        assert await reminders(db) == []

    async def test_one_per_unit_and_plan_when_due_soon_and_again_when_overdue(
        self, db: AsyncSession
    ) -> None:
        w = await world(db)
        w["plan"].auto_remind = True
        other = await create_indicator(db, task=w["task"], frequency="quarterly")
        await db.flush()
        emitted = await emit(db, as_of=JULY_7)
        assert (emitted.due_soon, emitted.overdue, emitted.reminders) == (3, 0, 2)
        by_unit = {r.unit_id: r for r in await reminders(db)}
        assert set(by_unit) == {w["a"].id, w["b"].id}
        ours = by_unit[w["a"].id]
        assert (ours.plan_id, ours.sent_by, ours.status) == (
            w["plan"].id,
            "system",
            "awaiting_reply",
        )
        assert ours.reply_by == date(2024, 7, 10)  # by the due date
        assert sorted(o["indicator_id"] for o in ours.obligations) == sorted(
            [w["indicator"].id, other.id]
        )
        assert {o["status"] for o in ours.obligations} == {"due"}
        assert "2024-07-10" in ours.message
        # b reported the first indicator; only the other is asked of it.
        assert [o["indicator_id"] for o in by_unit[w["b"].id].obligations] == [other.id]

        assert (await emit(db, as_of=JULY_7)).reminders == 0
        later = await emit(db, as_of=JULY_12)
        assert (later.overdue, later.reminders) == (3, 2)
        overdue = [r for r in await reminders(db) if r.id not in {x.id for x in by_unit.values()}]
        assert {o["status"] for r in overdue for o in r.obligations} == {"overdue"}
        assert {r.reply_by for r in overdue} == {date(2024, 7, 15)}

    async def test_a_reminder_is_audited_as_sent_by_system(self, db: AsyncSession) -> None:
        w = await world(db)
        w["plan"].auto_remind = True
        await db.flush()
        await emit(db, as_of=JULY_7)
        [reminder] = await reminders(db)
        [event] = (
            await db.execute(
                select(AuditEvent.action, AuditEvent.actor_name).where(
                    AuditEvent.entity_type == "reminder", AuditEvent.entity_id == reminder.id
                )
            )
        ).all()
        assert event.actor_name == "system"

    async def test_two_replicas_at_once_send_one_reminder(self, writer: AsyncEngine) -> None:
        async with AsyncSession(writer, expire_on_commit=False) as session:
            w = await world(session)
            w["plan"].auto_remind = True
            await session.commit()
        won, lost = await race_two_replicas(writer, lambda s: emit(s, as_of=JULY_7))
        assert won.reminders == 1
        assert lost == Emitted(due_soon=0, overdue=0, reminders=0)
        async with AsyncSession(writer) as session:
            assert len(await reminders(session)) == 1
            assert len(await events_of(session, "due_soon")) == 1
