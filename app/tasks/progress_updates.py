"""Narrative progress on a task, per period: what was done, problems, next steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field
from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.scope import reporter_unit, unit_responsible_for
from app.auth.service import Principal
from app.crud import Record, apply_changes, fetch_page, read_select, require_reference
from app.errors import Forbidden, InvalidInput, NotFound
from app.pagination import ListQuery, PageParams
from app.plans.models import Plan
from app.reports.periods import parse_period
from app.reports.schemas import PeriodText
from app.tasks import rules
from app.tasks.models import ProgressUpdate, Task
from app.types import Id, InputModel, LongText, Percent, ReadModel, RequiredText, omissible
from app.units.models import Unit

_EXAMPLE: dict[str, Any] = {
    "unit_id": 7,
    "period": "2024Q2",
    "done": "新馆主体完工，布展进度60%。",
    "problems": "部分展品到货延迟。",
    "next_steps": "7月底前完成布展。",
    "percent": 60,
}


class ProgressUpdateCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            # The office names the unit; a reporter key writes for its own unit.
            "examples": [_EXAMPLE, {k: v for k, v in _EXAMPLE.items() if k != "unit_id"}]
        }
    )

    unit_id: Id = omissible(
        "The unit whose account this is. A reporter key may leave it out (its own unit); "
        "other keys must give it."
    )
    period: PeriodText
    done: RequiredText = Field(description="What was done in the period.")
    problems: LongText = ""
    next_steps: LongText = ""
    percent: Percent | None = Field(default=None, description="Sets the task's progress too.")


class ProgressUpdateRead(ReadModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "id": 3,
                    "task_id": 20,
                    "author_key_id": 4,
                    "created_at": "2024-07-05T02:00:00Z",
                }
            ]
        },
    )

    id: int
    task_id: int
    unit_id: int
    period: str
    done: str
    problems: str
    next_steps: str
    percent: int | None
    author_key_id: int | None
    created_at: datetime


class ProgressUpdateQuery(ListQuery):
    pass


async def add_progress_update(
    session: AsyncSession, *, task_id: int, data: ProgressUpdateCreate, actor: Principal
) -> ProgressUpdate:
    unit = reporter_unit(actor)
    unit_id = data.unit_id if "unit_id" in data.model_fields_set else unit
    if unit_id is None:
        raise InvalidInput(
            "unit_id: say which unit's account this is; only a reporter key's unit is assumed",
            errors=[{"pointer": "#/unit_id", "detail": "required for keys not bound to a unit"}],
        )
    if unit is not None and unit_id != unit:
        raise Forbidden(f"a reporter of unit {unit} may not write for unit {unit_id}")
    in_scope = true() if unit is None else unit_responsible_for(unit, Task.id)
    row = (
        await session.execute(
            select(Task, Plan.year, in_scope.label("in_scope"))
            .join(Plan, Plan.id == Task.plan_id)
            .where(Task.id == task_id)
            .with_for_update(of=Task)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"task {task_id} does not exist")
    task, year, allowed = row
    if not allowed:
        raise Forbidden(f"task {task_id} is not among your unit's responsibilities")
    period = parse_period(data.period)
    if period.year != year:
        raise InvalidInput(
            f"period: {data.period} is outside the plan year {year}",
            errors=[{"pointer": "#/period", "detail": "outside the plan year"}],
        )
    await require_reference(session, Unit, unit_id, field="unit_id")
    update = ProgressUpdate(
        task_id=task_id,
        author_key_id=actor.key_id,
        period_start=period.starts_on,
        **(data.model_dump() | {"unit_id": unit_id}),
    )
    session.add(update)
    if data.percent is not None:
        apply_changes(
            task,
            {
                "progress": data.percent,
                "status": rules.status_for_progress(task.status, data.percent),
            },
        )
    await session.flush()
    return update


async def list_progress_updates(
    session: AsyncSession, *, task_id: int, page: PageParams
) -> tuple[list[Record], str | None]:
    if await session.get(Task, task_id) is None:
        raise NotFound(f"task {task_id} does not exist")
    stmt = read_select(ProgressUpdate).where(ProgressUpdate.task_id == task_id)
    return await fetch_page(session, stmt, ProgressUpdate, page, newest_first=True)
