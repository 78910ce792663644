"""The time-driven events in the change feed: emitted by the maintenance pass, each in the
scope of the unit and plan it concerns, so a reporter hears of its own unit's only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.auth import service as auth_service
from app.ops.maintenance import emit_timed
from app.tasks import timed as task_timed
from tests.events.test_feed import api, feed_app, read_all, writer
from tests.factories import (
    create_indicator,
    create_milestone,
    create_plan,
    create_responsibility,
    create_task,
    create_unit,
)

__all__ = ["api", "feed_app", "writer"]

TIMED = "obligation.due_soon,milestone.overdue,task.health_changed,reminder.sent"


def summary(events: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return sorted((e["type"], e["entity"]["id"]) for e in events)


class TestTimedEventsInTheFeed:
    async def test_each_is_announced_once_in_its_units_and_plans_scope(
        self, writer: AsyncEngine, api: AsyncClient
    ) -> None:
        async with AsyncSession(writer, expire_on_commit=False) as session:
            plan = await create_plan(session, auto_remind=True)
            other_plan = await create_plan(session)
            a, b = await create_unit(session), await create_unit(session)
            theirs_task = await create_task(session, plan=other_plan)
            await create_responsibility(session, task=theirs_task, unit=b)
            await create_milestone(session, task=theirs_task)
            tasks, milestones = {}, {}
            for unit in (a, b):
                task = tasks[unit.id] = await create_task(session, plan=plan)
                await create_responsibility(session, task=task, unit=unit)
                milestones[unit.id] = await create_milestone(session, task=task)
                await create_indicator(session, task=task, frequency="quarterly")
            _, ours = await auth_service.create_api_key(
                session, name="a reporter", role="reporter", unit_id=a.id
            )
            await session.commit()
        maker = async_sessionmaker(writer)
        # The first pass only takes note of each task's health.
        assert await emit_timed(maker, as_of=date(2024, 6, 29)) == {
            "obligation_due_soon": 0,
            "obligation_overdue": 0,
            "reminders_sent": 0,
            "milestone_overdue": 0,
            "task_health_changed": 0,
        }
        emitted = await emit_timed(maker, as_of=date(2024, 7, 7))
        assert emitted == {
            "obligation_due_soon": 2,
            "obligation_overdue": 0,
            "reminders_sent": 2,
            "milestone_overdue": 3,
            "task_health_changed": 3,
        }
        assert await emit_timed(maker, as_of=date(2024, 7, 7)) == dict.fromkeys(emitted, 0)

        everything, _ = await read_all(api, type=TIMED, until=lambda e: len(e) == 10)
        assert len(everything) == 10
        by_plan, _ = await read_all(api, type=TIMED, plan_id=plan.id, until=lambda e: len(e) == 8)
        assert {e["type"] for e in by_plan} == set(TIMED.split(","))
        assert ("task.health_changed", theirs_task.id) not in summary(by_plan)
        assert ("task.health_changed", theirs_task.id) in summary(everything)

        api.headers["Authorization"] = f"Bearer {ours}"
        mine, _ = await read_all(api, type=TIMED, until=lambda e: len(e) == 4)
        assert len(mine) == 4
        kinds = {e["type"]: e for e in mine}
        assert set(kinds) == set(TIMED.split(","))
        assert kinds["task.health_changed"]["entity"]["id"] == tasks[a.id].id
        # Amber for the first quarter's report never made, red once the milestone is missed.
        assert kinds["task.health_changed"]["changes"]["health"] == ["amber", "red"]
        assert kinds["milestone.overdue"]["entity"]["id"] == milestones[a.id].id
        assert kinds["obligation.due_soon"]["changes"]["unit_id"] == [None, a.id]
        assert kinds["reminder.sent"]["changes"]["unit_id"] == [None, a.id]
        assert kinds["reminder.sent"]["actor"] == {"key_id": None, "name": "system"}

    async def test_a_kind_that_fails_holds_back_none_of_the_others(
        self, writer: AsyncEngine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        async with AsyncSession(writer, expire_on_commit=False) as session:
            task = await create_task(session, plan=await create_plan(session))
            await create_responsibility(session, task=task, unit=await create_unit(session))
            await create_milestone(session, task=task)
            await create_indicator(session, task=task, frequency="quarterly")
            await session.commit()

        async def broken(*args: Any, **kwargs: Any) -> int:
            raise RuntimeError("task health is broken")

        maker = async_sessionmaker(writer)
        with monkeypatch.context() as patched:
            patched.setattr(task_timed, "emit_health_changes", broken)
            emitted = await emit_timed(maker, as_of=date(2024, 7, 7))
        assert emitted == {
            "obligation_due_soon": 1,
            "obligation_overdue": 0,
            "reminders_sent": 0,
            "milestone_overdue": 1,
        }
        assert "time-driven events (task health) failed" in caplog.text
        # What the other kinds announced was committed: the next pass does not repeat it.
        again = await emit_timed(maker, as_of=date(2024, 7, 7))
        assert (again["obligation_due_soon"], again["milestone_overdue"]) == (0, 0)
