"""task.health_changed: a task's health moving between green, amber and red is announced once,
with the old and new health and reasons; the first look at a task says nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.tasks.models import TaskHealthState
from app.tasks.timed import emit_health_changes
from tests.events.test_feed import writer
from tests.factories import create_milestone, create_plan, create_task
from tests.helpers import audit_rows, race_two_replicas

__all__ = ["writer"]

JUNE_29, JULY_1 = date(2024, 6, 29), date(2024, 7, 1)  # the milestone is due 30 June


async def changes(session: AsyncSession) -> list[Any]:
    return await audit_rows(session, "task", "health_change")


class TestHealthChanged:
    async def test_first_pass_is_silent_then_each_change_is_announced_once(
        self, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        milestone = await create_milestone(db, task=task, title="新馆建成")
        assert await emit_health_changes(db, as_of=JUNE_29) == 0
        state = await db.get(TaskHealthState, task.id)
        assert state is not None
        assert (state.health, state.reasons) == ("green", [])
        assert await changes(db) == []

        assert await emit_health_changes(db, as_of=JULY_1) == 1
        assert await emit_health_changes(db, as_of=JULY_1) == 0
        [event] = await changes(db)
        assert (event.actor_name, event.entity_id) == ("system", task.id)
        assert event.changes["health"] == ["green", "red"]
        old_reasons, new_reasons = event.changes["reasons"]
        assert old_reasons == []
        assert len(new_reasons) == 1
        assert "新馆建成" in new_reasons[0]

        milestone.status, milestone.completed_on = "completed", JULY_1
        await db.flush()
        assert await emit_health_changes(db, as_of=JULY_1) == 1
        back = (await changes(db))[-1]
        assert back.changes == {"health": ["red", "green"], "reasons": [new_reasons, []]}

    async def test_a_task_seen_later_is_recorded_silently(self, db: AsyncSession) -> None:
        plan = await create_plan(db)
        await create_task(db, plan=plan)
        await emit_health_changes(db, as_of=JULY_1)
        late = await create_task(db, plan=plan, due_on=date(2024, 6, 1))  # red from the start
        assert await emit_health_changes(db, as_of=JULY_1) == 0
        state = await db.get(TaskHealthState, late.id)
        assert state is not None
        assert state.health == "red"

    async def test_plans_not_active_are_not_watched(self, db: AsyncSession) -> None:
        plan = await create_plan(db, status="draft")
        await create_task(db, plan=plan)
        await emit_health_changes(db, as_of=JULY_1)
        assert await db.scalar(select(TaskHealthState.task_id)) is None


class TestReplicas:
    async def test_two_replicas_at_once_announce_a_change_once(self, writer: AsyncEngine) -> None:
        async with AsyncSession(writer, expire_on_commit=False) as session:
            task = await create_task(session)
            await create_milestone(session, task=task)
            assert await emit_health_changes(session, as_of=JUNE_29) == 0
            await session.commit()
        # The second waits on the first's lock on the plan, then compares with its record.
        race = await race_two_replicas(writer, lambda s: emit_health_changes(s, as_of=JULY_1))
        assert race == (1, 0)
        async with AsyncSession(writer) as session:
            assert len(await changes(session)) == 1
