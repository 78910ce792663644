"""milestone.overdue: a milestone still pending after its due date is announced once, however
many replicas run the worker."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.milestones.timed import emit_overdue
from tests.events.test_feed import writer
from tests.factories import create_milestone, create_task
from tests.helpers import audit_rows, race_two_replicas

__all__ = ["writer"]

JULY_1 = date(2024, 7, 1)  # the day after the factory's milestone (30 June) was due


async def overdue_events(session: AsyncSession) -> list[Any]:
    return await audit_rows(session, "milestone", "overdue")


class TestEmitOverdue:
    async def test_announced_the_day_after_it_was_due_once(self, db: AsyncSession) -> None:
        task = await create_task(db)
        milestone = await create_milestone(db, task=task, title="新馆建成")
        assert await emit_overdue(db, as_of=date(2024, 6, 30)) == 0
        assert await emit_overdue(db, as_of=JULY_1) == 1
        assert await emit_overdue(db, as_of=JULY_1) == 0
        assert await emit_overdue(db, as_of=date(2024, 7, 5)) == 0
        [event] = await overdue_events(db)
        assert (event.actor_name, event.entity_id) == ("system", milestone.id)
        assert event.changes == {
            "task_id": [None, task.id],
            "title": [None, "新馆建成"],
            "due_on": [None, "2024-06-30"],
            "status": [None, "pending"],
        }

    async def test_not_when_completed_or_cancelled(self, db: AsyncSession) -> None:
        task = await create_task(db)
        await create_milestone(db, task=task, status="completed", completed_on=date(2024, 6, 1))
        await create_milestone(db, task=task, status="cancelled")
        assert await emit_overdue(db, as_of=JULY_1) == 0

    async def test_history_older_than_the_look_back_is_not_announced(
        self, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        await create_milestone(db, task=task, due_on=date(2024, 6, 1))
        assert await emit_overdue(db, as_of=JULY_1) == 0

    async def test_moved_to_a_later_date_and_missed_again_is_announced_again(
        self, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        milestone = await create_milestone(db, task=task)
        assert await emit_overdue(db, as_of=JULY_1) == 1
        milestone.due_on = date(2024, 7, 15)
        await db.flush()
        assert await emit_overdue(db, as_of=date(2024, 7, 15)) == 0
        assert await emit_overdue(db, as_of=date(2024, 7, 16)) == 1


class TestReplicas:
    async def test_two_replicas_at_once_emit_one_event(self, writer: AsyncEngine) -> None:
        async with AsyncSession(writer, expire_on_commit=False) as session:
            await create_milestone(session, task=await create_task(session))
            await session.commit()
        assert await race_two_replicas(writer, lambda s: emit_overdue(s, as_of=JULY_1)) == (1, 0)
        async with AsyncSession(writer) as session:
            assert len(await overdue_events(session)) == 1
