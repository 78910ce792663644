"""Typed factories that put records straight into the test's database session."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.indicators.models import Indicator
from app.milestones.models import Milestone
from app.plans.models import Plan
from app.reports.models import IndicatorReport
from app.reports.periods import parse_period
from app.responsibilities.models import Responsibility
from app.tasks.models import Task
from app.units.models import Unit

_seq = itertools.count(1)


async def _save(session: AsyncSession, obj: Any) -> Any:
    session.add(obj)
    await session.flush()
    return obj


async def create_unit(session: AsyncSession, **overrides: Any) -> Unit:
    n = next(_seq)
    values: dict[str, Any] = {"code": f"U{n}", "name": f"单位{n}", "kind": "department"}
    return await _save(session, Unit(**(values | overrides)))


async def create_plan(session: AsyncSession, **overrides: Any) -> Plan:
    n = next(_seq)
    values: dict[str, Any] = {
        "code": f"P{n}",
        "title": f"计划{n}",
        "year": 2024,
        "status": "active",
    }
    return await _save(session, Plan(**(values | overrides)))


async def create_task(session: AsyncSession, *, plan: Plan | None = None, **overrides: Any) -> Task:
    plan = plan or await create_plan(session)
    n = next(_seq)
    values: dict[str, Any] = {
        "plan_id": plan.id,
        "kind": "work_point",
        "number": str(n),
        "title": f"工作{n}",
        "due_on": date(plan.year, 12, 31),
    }
    task = await _save(session, Task(**(values | overrides)))
    await session.refresh(task, attribute_names=["related_task_ids"])
    return task


async def create_responsibility(
    session: AsyncSession, *, task: Task, unit: Unit, role: str = "lead"
) -> Responsibility:
    return await _save(session, Responsibility(task_id=task.id, unit_id=unit.id, role=role))


async def create_milestone(session: AsyncSession, *, task: Task, **overrides: Any) -> Milestone:
    values: dict[str, Any] = {"task_id": task.id, "title": "节点", "due_on": date(2024, 6, 30)}
    return await _save(session, Milestone(**(values | overrides)))


async def create_indicator(
    session: AsyncSession, *, task: Task | None = None, **overrides: Any
) -> Indicator:
    task = task or await create_task(session)
    n = next(_seq)
    values: dict[str, Any] = {
        "task_id": task.id,
        "plan_id": task.plan_id,
        "code": f"I{n}",
        "name": f"指标{n}",
        "unit_label": "场",
        "comparator": "gte",
        "target_value": Decimal(200),
        "frequency": "quarterly",
    }
    return await _save(session, Indicator(**(values | overrides)))


async def create_responsible_unit(
    session: AsyncSession, *, indicator: Indicator, **overrides: Any
) -> Unit:
    """A unit that leads the indicator's task: one whose reports on the indicator are accepted."""
    unit = await create_unit(session, **overrides)
    await _save(session, Responsibility(task_id=indicator.task_id, unit_id=unit.id, role="lead"))
    return unit


async def create_report(
    session: AsyncSession, *, indicator: Indicator, unit: Unit, **overrides: Any
) -> IndicatorReport:
    values: dict[str, Any] = {
        "indicator_id": indicator.id,
        "unit_id": unit.id,
        "period": "2024Q1",
        "value": Decimal(50),
        "status": "submitted",
    } | overrides
    period = parse_period(values["period"])
    values.setdefault("period_start", period.starts_on)
    values.setdefault("period_end", period.ends_on)
    if values["status"] != "draft":  # put forward just after its period ended, unless told
        values.setdefault(
            "first_submitted_at",
            datetime.combine(period.ends_on + timedelta(days=1), time(9), tzinfo=UTC),
        )
    return await _save(session, IndicatorReport(**values))
