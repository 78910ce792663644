"""Both write paths are held to the same rules: each rule's good and bad cases go through the
API (POST / PATCH) and through bulk (one row), and must end with the same stored values or be
refused on the same field.

A case names its values once; ``World`` spells the references as each path wants them (ids
for the API, codes for bulk). Refusals are compared by field: the API points at ``#/<field>``,
bulk names ``<field>`` in its row error (the two report their codes in different vocabularies:
a problem code for the request, a reason per row for an upload).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.indicators.models import Indicator
from app.milestones.models import Milestone
from app.plans.models import Plan
from app.reports.models import IndicatorReport
from app.responsibilities.models import Responsibility
from app.tasks.models import Task
from app.units.models import Unit
from tests.factories import (
    create_indicator,
    create_milestone,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)

API, BULK = "api", "bulk"
EARLY, LATE = date(2024, 3, 1), date(2024, 9, 30)
LONG = 10**16


@dataclass(frozen=True)
class Ref:
    """A record as the two paths name it (plain values: the tests expire the session)."""

    id: int
    code: str


@dataclass(frozen=True)
class World:
    """A 2024 plan with a task, a quarterly indicator and a unit that leads the task."""

    plan: Ref
    task: Ref  # its code is its number
    indicator: Ref
    unit: Ref
    spare: Ref  # a unit with no part in anything yet


@pytest.fixture
async def world(db: AsyncSession) -> World:
    plan = await create_plan(db, year=2024)
    task = await create_task(db, plan=plan, number="1", kind="key_task")
    indicator = await create_indicator(db, task=task, frequency="quarterly")
    unit, spare = await create_unit(db), await create_unit(db)
    await create_responsibility(db, task=task, unit=unit)
    return World(
        Ref(plan.id, plan.code),
        Ref(task.id, task.number),
        Ref(indicator.id, indicator.code),
        Ref(unit.id, unit.code),
        Ref(spare.id, spare.code),
    )


@dataclass(frozen=True)
class Resource:
    name: str  # as both paths spell it
    model: type[Any]

    def api_refs(self, w: World) -> dict[str, Any]:
        return {
            "units": {},
            "tasks": {"plan_id": w.plan.id},
            "responsibilities": {"task_id": w.task.id, "unit_id": w.spare.id},
            "milestones": {"task_id": w.task.id},
            "indicators": {"task_id": w.task.id},
            "indicator-reports": {"indicator_id": w.indicator.id, "unit_id": w.unit.id},
        }[self.name]

    def bulk_refs(self, w: World) -> dict[str, Any]:
        return {
            "units": {},
            "tasks": {"plan": w.plan.code},
            "responsibilities": {"plan": w.plan.code, "task": w.task.code, "unit": w.spare.code},
            "milestones": {"plan": w.plan.code, "task": w.task.code},
            "indicators": {"plan": w.plan.code, "task": w.task.code},
            "indicator-reports": {
                "plan": w.plan.code,
                "indicator": w.indicator.code,
                "unit": w.unit.code,
            },
        }[self.name]


UNITS = Resource("units", Unit)
TASKS = Resource("tasks", Task)
RESPONSIBILITIES = Resource("responsibilities", Responsibility)
MILESTONES = Resource("milestones", Milestone)
INDICATORS = Resource("indicators", Indicator)
REPORTS = Resource("indicator-reports", IndicatorReport)

# What a new record needs besides the values a case is about.
_BASE: dict[str, dict[str, Any]] = {
    "units": {"code": "NEW-1", "name": "新单位", "kind": "department"},
    "tasks": {"kind": "work_point", "number": "9", "title": "新工作"},
    "responsibilities": {"role": "lead"},
    "milestones": {"title": "新节点", "due_on": "2024-06-30"},
    "indicators": {"code": "NEW-1", "name": "新指标", "comparator": "gte", "target_value": 10},
    "indicator-reports": {"period": "2024Q2", "value": 5},
}


@dataclass(frozen=True)
class Case:
    """One rule's good or bad case: the values written, and what must come of them."""

    id: str
    resource: Resource
    values: dict[str, Any]
    stored: dict[str, Any] = field(default_factory=dict)  # attribute → value once written
    refused: str | None = None  # the field the refusal names

    def param(self) -> Any:
        return pytest.param(self, id=self.id)


TODAY = "today"  # stands for clock.today() in `stored`


def expected(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: clock.today() if v == TODAY else v for k, v in stored.items()}


CREATE_CASES = [
    # units
    Case("unit-kind-ok", UNITS, {"kind": "group"}, stored={"kind": "group"}),
    Case("unit-kind-bad", UNITS, {"kind": "club"}, refused="kind"),
    Case("unit-name-too-long", UNITS, {"name": "名" * 201}, refused="name"),
    Case("unit-name-nul", UNITS, {"name": "a\x00b"}, refused="name"),
    # tasks: status follows progress, completion is dated, dates in order
    Case("task-progress-starts-it", TASKS, {"progress": 40}, stored={"status": "in_progress"}),
    Case(
        "task-completed-dated-today",
        TASKS,
        {"status": "completed", "progress": 100},
        stored={"status": "completed", "completed_on": TODAY},
    ),
    Case(
        "task-completed-keeps-given-date",
        TASKS,
        {"status": "completed", "completed_on": "2024-05-01"},
        stored={"completed_on": date(2024, 5, 1)},
    ),
    Case(
        "task-not-completed-keeps-given-date",
        TASKS,
        {"completed_on": "2024-05-01"},
        stored={"status": "not_started", "completed_on": date(2024, 5, 1)},
    ),
    Case(
        "task-dates-equal",
        TASKS,
        {"start_on": "2024-03-01", "due_on": "2024-03-01"},
        stored={"start_on": EARLY, "due_on": EARLY},
    ),
    Case(
        "task-dates-out-of-order",
        TASKS,
        {"start_on": "2024-09-30", "due_on": "2024-03-01"},
        refused="due_on",
    ),
    Case("task-progress-over-100", TASKS, {"progress": 101}, refused="progress"),
    Case("task-bad-status", TASKS, {"status": "done"}, refused="status"),
    Case("task-bad-date", TASKS, {"due_on": "2024-02-30"}, refused="due_on"),
    Case("task-title-too-long", TASKS, {"title": "题" * 501}, refused="title"),
    # responsibilities
    Case(
        "role-participant",
        RESPONSIBILITIES,
        {"role": "participant"},
        stored={"role": "participant"},
    ),
    Case("role-bad", RESPONSIBILITIES, {"role": "owner"}, refused="role"),
    # milestones: completed as tasks are
    Case(
        "milestone-completed-dated-today",
        MILESTONES,
        {"status": "completed"},
        stored={"status": "completed", "completed_on": TODAY},
    ),
    Case(
        "milestone-completed-keeps-given-date",
        MILESTONES,
        {"status": "completed", "completed_on": "2024-05-01"},
        stored={"completed_on": date(2024, 5, 1)},
    ),
    Case(
        "milestone-pending-no-date",
        MILESTONES,
        {"status": "pending"},
        stored={"status": "pending", "completed_on": None},
    ),
    Case("milestone-note-too-long", MILESTONES, {"note": "注" * 4001}, refused="note"),
    # indicators: a range only for `between`, never upside down
    Case(
        "indicator-between",
        INDICATORS,
        {"comparator": "between", "target_value": 3, "target_max": 5},
        stored={"target_value": Decimal(3), "target_max": Decimal(5)},
    ),
    Case(
        "indicator-between-equal-bounds",
        INDICATORS,
        {"comparator": "between", "target_value": 3, "target_max": 3},
        stored={"target_max": Decimal(3)},
    ),
    Case(
        "indicator-between-without-max",
        INDICATORS,
        {"comparator": "between", "target_value": 3},
        refused="target_max",
    ),
    Case(
        "indicator-between-upside-down",
        INDICATORS,
        {"comparator": "between", "target_value": 5, "target_max": 3},
        refused="target_max",
    ),
    Case(
        "indicator-max-without-between",
        INDICATORS,
        {"comparator": "gte", "target_value": 3, "target_max": 5},
        refused="target_max",
    ),
    Case(
        "indicator-about-without-max",
        INDICATORS,
        {"comparator": "about", "target_value": 3},
        stored={"comparator": "about", "target_max": None},
    ),
    Case("indicator-huge-target", INDICATORS, {"target_value": LONG}, refused="target_value"),
    Case("indicator-bad-frequency", INDICATORS, {"frequency": "weekly"}, refused="frequency"),
    # reports: the period rule
    Case("period-normalised", REPORTS, {"period": "2024-q3"}, stored={"period": "2024Q3"}),
    Case(
        "period-dates",
        REPORTS,
        {"period": "2024Q3"},
        stored={"period_start": date(2024, 7, 1), "period_end": LATE},
    ),
    Case("period-padded", REPORTS, {"period": " 2024Q3 "}, stored={"period": "2024Q3"}),
    Case("period-junk", REPORTS, {"period": "2024Q5"}, refused="period"),
    Case("period-trailing-junk", REPORTS, {"period": "2024Q3" + " " * 10 + "x"}, refused="period"),
    Case("period-wrong-frequency", REPORTS, {"period": "2024-07"}, refused="period"),
    Case("period-outside-plan-year", REPORTS, {"period": "2023Q3"}, refused="period"),
    Case(
        "report-draft",
        REPORTS,
        {"status": "draft"},
        stored={"status": "draft", "first_submitted_at": None},
    ),
    Case("report-status-not-writable", REPORTS, {"status": "approved"}, refused="status"),
    Case("report-huge-value", REPORTS, {"value": LONG}, refused="value"),
]


async def send(
    client: AsyncClient, path: str, world: World, case: Case, *, mode: str = "create"
) -> Any:
    """Write the case's values through one path; the response."""
    resource = case.resource
    if path == API:
        body = {**resource.api_refs(world), **_BASE[resource.name], **case.values}
        return await client.post(f"/api/v1/{resource.name}", json=body)
    row = {**resource.bulk_refs(world), **_BASE[resource.name], **case.values}
    return await client.post(
        f"/api/v1/bulk/{resource.name}",
        content=orjson.dumps(row) + b"\n",
        headers={"Content-Type": "application/x-ndjson"},
        params={"mode": mode},
    )


def refused_fields(path: str, response: Any) -> set[str]:
    assert response.status_code == 422, response.text
    errors = response.json().get("errors", [])
    if path == API:
        return {e["pointer"].removeprefix("#/") for e in errors if "pointer" in e}
    return {e["field"] for e in errors}


async def newest(db: AsyncSession, model: type[Any]) -> Any:
    db.expire_all()
    return await db.scalar(select(model).order_by(model.id.desc()).limit(1))


@pytest.mark.parametrize("path", [API, BULK])
@pytest.mark.parametrize("case", [c.param() for c in CREATE_CASES])
async def test_create(
    client: AsyncClient, db: AsyncSession, world: World, case: Case, path: str
) -> None:
    model = case.resource.model
    before = await newest(db, model)
    response = await send(client, path, world, case)
    if case.refused is not None:
        assert case.refused in refused_fields(path, response)
        assert await newest(db, model) is before  # nothing written
        return
    assert response.status_code in (200, 201), response.text
    record = await newest(db, model)
    assert record is not before
    assert {k: getattr(record, k) for k in case.stored} == expected(case.stored)


# --- changes: PATCH against a bulk row naming an existing record ----------------------------


@dataclass(frozen=True)
class Change:
    """A change to an existing record, with what it must end as (or the field refused)."""

    id: str
    resource: Resource
    existing: dict[str, Any]  # the record before, as the factory takes it
    values: dict[str, Any]
    stored: dict[str, Any] = field(default_factory=dict)
    refused: str | None = None


CHANGES = [
    Change(
        "task-completed-gets-today",
        TASKS,
        {"status": "in_progress"},
        {"status": "completed"},
        stored={"status": "completed", "completed_on": TODAY},
    ),
    Change(
        "task-reopened-loses-its-date",
        TASKS,
        {"status": "completed", "completed_on": date(2024, 5, 1)},
        {"status": "in_progress"},
        stored={"status": "in_progress", "completed_on": None},
    ),
    Change(
        "task-progress-keeps-completion",
        TASKS,
        {"status": "completed", "completed_on": date(2024, 5, 1)},
        {"progress": 90},
        stored={"status": "completed", "completed_on": date(2024, 5, 1)},
    ),
    Change(
        "task-start-after-existing-due",
        TASKS,
        {"start_on": None, "due_on": EARLY},
        {"start_on": "2024-09-30"},
        refused="due_on",
    ),
    Change(
        "task-due-before-existing-start",
        TASKS,
        {"start_on": LATE, "due_on": date(2024, 12, 31)},
        {"due_on": "2024-03-01"},
        refused="due_on",
    ),
    Change(
        "milestone-reopened-loses-its-date",
        MILESTONES,
        {"status": "completed", "completed_on": date(2024, 5, 1)},
        {"status": "pending"},
        stored={"status": "pending", "completed_on": None},
    ),
    Change(
        "indicator-leaves-between",
        INDICATORS,
        {"comparator": "between", "target_value": Decimal(3), "target_max": Decimal(5)},
        {"comparator": "gte"},
        stored={"comparator": "gte", "target_max": None},
    ),
    Change(
        "indicator-becomes-between-without-max",
        INDICATORS,
        {"comparator": "gte", "target_value": Decimal(3)},
        {"comparator": "between"},
        refused="target_max",
    ),
    Change(
        "indicator-max-below-existing-target",
        INDICATORS,
        {"comparator": "between", "target_value": Decimal(3), "target_max": Decimal(5)},
        {"target_max": 2},
        refused="target_max",
    ),
    Change(
        "report-returned-and-corrected-goes-back",
        REPORTS,
        {"status": "returned"},
        {"value": 7},
        stored={"status": "submitted", "value": Decimal(7)},
    ),
]


async def existing(db: AsyncSession, world: World, change: Change) -> tuple[Any, dict[str, Any]]:
    """The record a change is made to, and how a bulk row names it."""
    name = change.resource.name
    if name == "tasks":
        plan = Plan(id=world.plan.id, year=2024)
        task = await create_task(db, plan=plan, number="8", **change.existing)
        return task, {"plan": world.plan.code, "kind": task.kind, "number": task.number}
    if name == "milestones":
        milestone = await create_milestone(db, task=task_of(world), **change.existing)
        return milestone, {**MILESTONES.bulk_refs(world), "title": milestone.title}
    if name == "indicators":
        indicator = await create_indicator(db, task=task_of(world), code="OLD-1", **change.existing)
        return indicator, {"plan": world.plan.code, "code": indicator.code}
    report = await create_report(
        db,
        indicator=Indicator(id=world.indicator.id),
        unit=Unit(id=world.unit.id),
        **change.existing,
    )
    return report, {**REPORTS.bulk_refs(world), "period": report.period}


def task_of(world: World) -> Task:
    """The world's task, enough for a factory (which reads only its ids)."""
    return Task(id=world.task.id, plan_id=world.plan.id)


@pytest.mark.parametrize("path", [API, BULK])
@pytest.mark.parametrize("change", [pytest.param(c, id=c.id) for c in CHANGES])
async def test_change(
    client: AsyncClient, db: AsyncSession, world: World, change: Change, path: str
) -> None:
    record, key = await existing(db, world, change)
    record_id = record.id
    before = {c.key: getattr(record, c.key) for c in record.__table__.columns}
    if path == API:
        response = await client.patch(
            f"/api/v1/{change.resource.name}/{record_id}", json=change.values
        )
    else:
        response = await client.post(
            f"/api/v1/bulk/{change.resource.name}",
            content=orjson.dumps({**key, **change.values}) + b"\n",
            headers={"Content-Type": "application/x-ndjson"},
            params={"mode": "update"},
        )
    db.expire_all()
    record = await db.get(change.resource.model, record_id)
    if change.refused is not None:
        assert change.refused in refused_fields(path, response)
        assert {c.key: getattr(record, c.key) for c in record.__table__.columns} == before
        return
    assert response.status_code == 200, response.text
    assert {k: getattr(record, k) for k in change.stored} == expected(change.stored)
