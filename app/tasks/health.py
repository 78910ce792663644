"""A task's health at a date: red, amber or green, with the reasons a person can act on."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.crud import get_row_or_404
from app.indicators import service as indicator_service
from app.indicators.models import Indicator
from app.milestones.models import Milestone
from app.reports import obligations as obligation_service
from app.tasks.models import Task


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
    status: Literal["green", "amber", "red"]
    reasons: list[str]


async def task_health(session: AsyncSession, *, task_id: int, as_of: date) -> TaskHealth:
    """red: a milestone overdue, an indicator behind, or the task past due and not done;
    amber: an indicator at risk or a report overdue; green otherwise."""
    task = await get_row_or_404(session, Task, task_id)
    red: list[str] = []
    amber: list[str] = []
    done = task.status in ("completed", "cancelled")
    if not done and task.due_on is not None and task.due_on < as_of:
        red.append(f"the task was due {task.due_on} and is {task.status}")
    late = await session.execute(
        select(Milestone.id, Milestone.title, Milestone.due_on)
        .where(
            Milestone.task_id == task_id,
            Milestone.status == "pending",
            Milestone.due_on < as_of,
        )
        .order_by(Milestone.due_on)
    )
    red += [f"milestone {m.id} ({m.title}) was due {m.due_on}" for m in late]
    indicators = await session.execute(
        select(Indicator.id, Indicator.code, Indicator.name)
        .where(Indicator.task_id == task_id)
        .order_by(Indicator.id)
    )
    for indicator in indicators.all():
        progress = await indicator_service.indicator_progress(
            session, indicator_id=indicator.id, as_of=as_of
        )
        if progress.status not in ("behind", "at_risk"):
            continue
        actual = progress.actual or 0
        said = (
            f"indicator {indicator.code} ({indicator.name}) is {progress.status}: "
            f"{actual:g} of {progress.expected:g} expected by now (target "
            f"{progress.target_value:g})"
        )
        (red if progress.status == "behind" else amber).append(said)
    owed = await obligation_service.task_obligations(session, task_id=task_id, as_of=as_of)
    amber += [
        f"unit {o.unit_id} has not reported indicator {o.indicator_id} for {o.period} "
        f"(due {o.due_on})"
        for o in owed
        if o.status == "overdue"
    ]
    status: Literal["green", "amber", "red"] = "red" if red else "amber" if amber else "green"
    return TaskHealth(task_id=task_id, as_of=as_of, status=status, reasons=red + amber)
