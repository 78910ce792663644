"""A task's health at a date: red, amber or green, with the reasons a person can act on."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.crud import get_row_or_404
from app.indicators import service as indicator_service
from app.indicators.schemas import IndicatorProgress
from app.milestones.models import Milestone
from app.reports import obligations as obligation_service
from app.tasks.models import Task

HealthStatus = Literal["green", "amber", "red"]
FULL_BUT_NOT_COMPLETED = "progress is 100% but the task is not marked completed"


class TaskHealth(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "task_id": 20,
                    "as_of": "2024-07-20",
                    "status": "red",
                    "reasons": [
                        "milestone 5 (新馆全面建成) was due 2024-06-30",
                        "indicator WP13-1 (接待公众) is behind: 60 of 109.6 expected",
                    ],
                }
            ]
        }
    )

    task_id: int
    as_of: date
    status: HealthStatus
    reasons: list[str]


async def task_health(session: AsyncSession, *, task_id: int, as_of: date) -> TaskHealth:
    """red: a milestone overdue, an indicator behind, or the task past due and not done;
    amber: an indicator at risk, a report overdue, or progress at 100% but not completed;
    green otherwise."""
    await get_row_or_404(session, Task, task_id)
    return (await health_of_tasks(session, as_of=as_of, task_id=task_id))[task_id]


async def health_of_tasks(
    session: AsyncSession,
    *,
    as_of: date,
    task_id: int | None = None,
    plan_id: int | None = None,
    indicators: list[tuple[Any, IndicatorProgress]] | None = None,
) -> dict[int, TaskHealth]:
    """The health of one task or of every task of a plan, in four statements whatever the size.

    ``indicators``: the scope's indicator progress when the caller has it already.
    """
    scope = Task.id == task_id if task_id is not None else Task.plan_id == plan_id
    tasks = (
        await session.execute(select(Task.id, Task.status, Task.progress, Task.due_on).where(scope))
    ).all()
    red: dict[int, list[str]] = {t.id: [] for t in tasks}
    amber: dict[int, list[str]] = {t.id: [] for t in tasks}
    for t in tasks:
        if t.status not in ("completed", "cancelled") and t.due_on is not None and t.due_on < as_of:
            red[t.id].append(f"the task was due {t.due_on} and is {t.status}")
        if t.progress == 100 and t.status != "completed":
            # Done by its own account but not closed (办结): the office should close it or ask.
            amber[t.id].append(FULL_BUT_NOT_COMPLETED)
    late = await session.execute(
        select(Milestone.task_id, Milestone.id, Milestone.title, Milestone.due_on)
        .join(Task, Task.id == Milestone.task_id)
        .where(scope, Milestone.status == "pending", Milestone.due_on < as_of)
        .order_by(Milestone.due_on, Milestone.id)
    )
    for m in late:
        red[m.task_id].append(f"milestone {m.id} ({m.title}) was due {m.due_on}")
    if indicators is None:
        indicators = await indicator_service.progress_of_many(
            session, as_of=as_of, task_id=task_id, plan_id=plan_id
        )
    for indicator, figures in indicators:
        if figures.status not in ("behind", "at_risk"):
            continue
        # An `about` target is paced towards its floor: say so, or the figures look wrong.
        about = "about " if figures.comparator == "about" else ""
        said = (
            f"indicator {indicator.code} ({indicator.name}) is {figures.status}: "
            f"{figures.actual or 0:g} of {figures.expected:g} expected by now (target "
            f"{about}{figures.target_value:g})"
        )
        (red if figures.status == "behind" else amber)[indicator.task_id].append(said)
    if task_id is not None:
        owed = await obligation_service.task_obligations(
            session, task_id=task_id, as_of=as_of, status="overdue"
        )
    else:
        assert plan_id is not None
        owed = await obligation_service.plan_obligations(
            session, plan_id=plan_id, as_of=as_of, status="overdue"
        )
    for o in owed:
        amber[o.task_id].append(
            f"{o.unit_name} has not reported {o.indicator_code} ({o.indicator_name}) for "
            f"{o.period} (due {o.due_on})"
        )
    return {
        t.id: TaskHealth(
            task_id=t.id,
            as_of=as_of,
            status="red" if red[t.id] else "amber" if amber[t.id] else "green",
            reasons=red[t.id] + amber[t.id],
        )
        for t in tasks
    }
