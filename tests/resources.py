"""The plain resources (list/get/create/change/delete at /api/v1/<path>) as one table: what
tests/test_resource_contract.py needs to hold every one of them to the same rules.

A resource's own behaviour (its filters, its workflow, its conflicts) stays in its own tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Base
from app.indicators.models import Indicator
from app.milestones.models import Milestone
from app.plans.models import Plan
from app.responsibilities.models import Responsibility
from app.tasks.models import Task
from app.units.models import Unit
from tests import factories as f

Body = Callable[[AsyncSession], Awaitable[dict[str, Any]]]
Make = Callable[..., Awaitable[int]]  # (db, **field values) → the id of a stored record
Fill = Callable[[AsyncSession, int], Awaitable[None]]


@dataclass(frozen=True)
class Resource:
    path: str
    model: type[Base]
    body: Body  # a valid create body (its parents are made in the database)
    make: Make  # one stored record, its id
    fill: Fill  # stores this many records in one statement
    change: tuple[str, Any, Any]  # a field PATCH may change, and two new values for it
    required: tuple[str, ...]  # left out of a create body: 422
    not_null: tuple[str, ...]  # PATCH to null: 422
    fixed: tuple[str, ...] = ()  # PATCH of a field set at creation only: 422
    created: dict[str, Any] = field(default_factory=dict)  # what a create fills in
    bad: tuple[Any, ...] = ()  # pytest.param(overrides, field): a create naming `field` is 422
    bad_queries: tuple[dict[str, str], ...] = ()  # list query: 422 naming its first parameter
    # Equality filters of the list: (field, a value, another value); the list filtered by the
    # first returns the record stored with it and not the one stored with the other.
    filters: tuple[tuple[str, Any, Any], ...] = ()

    @property
    def url(self) -> str:
        return f"/api/v1/{self.path}"

    def __str__(self) -> str:
        return self.path


def _bad(overrides: dict[str, Any], name: str, id: str) -> Any:
    return pytest.param(overrides, name, id=id)


async def _unit_body(db: AsyncSession) -> dict[str, Any]:
    return {"code": "HNAST-BGS", "name": "办公室", "kind": "department"}


async def _units(db: AsyncSession, n: int) -> None:
    await db.execute(
        insert(Unit), [{"code": f"B{i}", "name": "批量", "kind": "department"} for i in range(n)]
    )


def plan_body(**overrides: Any) -> dict[str, Any]:
    """A valid create body (the tests of one resource build theirs from it too)."""
    return {
        "code": "HNAST-2024",
        "title": "河南省科协2024年重点工作和工作要点",
        "year": 2024,
        "doc_number": "豫科协办发〔2024〕9号",
        "issuer": "河南省科学技术协会办公室",
        "issued_on": "2024-03-01",
        "status": "active",
    } | overrides


async def _plan_body(db: AsyncSession) -> dict[str, Any]:
    return plan_body()


async def _plans(db: AsyncSession, n: int) -> None:
    await db.execute(
        insert(Plan), [{"code": f"BULK{i}", "title": "批量", "year": 2024} for i in range(n)]
    )


def task_body(plan_id: int, /, **overrides: Any) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "kind": "work_point",
        "number": "13",
        "title": "全面建成省科技馆新馆",
        "description": "年内全面建成、全面开放，全年接待公众不少于 200 万人次。",
        "status": "in_progress",
        "progress": 40,
        "start_on": "2024-01-01",
        "due_on": "2024-12-31",
    } | overrides


async def _task_body(db: AsyncSession) -> dict[str, Any]:
    return task_body((await f.create_plan(db)).id)


async def _tasks(db: AsyncSession, n: int) -> None:
    plan = await f.create_plan(db)
    rows = [
        {"plan_id": plan.id, "kind": "subtask", "number": str(i), "title": "批量"} for i in range(n)
    ]
    await db.execute(insert(Task), rows)


async def _responsibility_body(db: AsyncSession) -> dict[str, Any]:
    task, unit = await f.create_task(db), await f.create_unit(db)
    return {"task_id": task.id, "unit_id": unit.id, "role": "participant"}


async def _responsibility(db: AsyncSession, **values: Any) -> int:
    task, unit = await f.create_task(db), await f.create_unit(db)
    return (await f.create_responsibility(db, task=task, unit=unit, **values)).id


async def _responsibilities(db: AsyncSession, n: int) -> None:
    plan = await f.create_plan(db)
    unit = await f.create_unit(db)
    rows = [
        {"plan_id": plan.id, "kind": "subtask", "number": str(i), "title": "批量"} for i in range(n)
    ]
    task_ids = (await db.scalars(insert(Task).returning(Task.id), rows)).all()
    await db.execute(
        insert(Responsibility),
        [{"task_id": t, "unit_id": unit.id, "role": "lead"} for t in task_ids],
    )


def milestone_body(task_id: int, /, **overrides: Any) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "title": "新馆全面建成、全面开放",
        "due_on": "2024-12-31",
        "note": "按期推进",
    } | overrides


async def _milestone_body(db: AsyncSession) -> dict[str, Any]:
    return milestone_body((await f.create_task(db)).id)


async def _milestone(db: AsyncSession, **values: Any) -> int:
    return (await f.create_milestone(db, task=await f.create_task(db), **values)).id


async def _milestones(db: AsyncSession, n: int) -> None:
    task = await f.create_task(db)
    await db.execute(
        insert(Milestone), [{"task_id": task.id, "title": "批量", "due_on": date(2024, 6, 30)}] * n
    )


def indicator_body(task_id: int, /, **overrides: Any) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "code": "WP13-1",
        "name": "全年接待公众",
        "unit_label": "万人次",
        "comparator": "gte",
        "target_value": 200,
        "baseline": 150.5,
        "aggregation": "sum",
        "frequency": "quarterly",
        "source_text": "全年接待公众不少于 200 万人次",
    } | overrides


async def _indicator_body(db: AsyncSession) -> dict[str, Any]:
    return indicator_body((await f.create_task(db)).id)


async def _indicators(db: AsyncSession, n: int) -> None:
    task = await f.create_task(db)
    rows = [
        {
            "task_id": task.id,
            "plan_id": task.plan_id,
            "code": f"B{i}",
            "name": "批量",
            "comparator": "gte",
            "target_value": 1,
        }
        for i in range(n)
    ]
    await db.execute(insert(Indicator), rows)


async def _id_of(made: Awaitable[Base]) -> int:
    return int((await made).id)  # type: ignore[attr-defined]


PLAIN: tuple[Resource, ...] = (
    Resource(
        path="units",
        model=Unit,
        body=_unit_body,
        make=lambda db, **values: _id_of(f.create_unit(db, **values)),
        fill=_units,
        change=("name", "第一次", "第二次"),
        required=("code", "name"),
        not_null=("code", "name", "kind"),
        created={"parent_id": None, "is_inferred": False},
        bad=(
            _bad({"bogus": 1}, "bogus", "unknown-field"),
            _bad({"id": 1}, "id", "id-not-writable"),
            _bad({"name": "办\x00公室"}, "name", "nul-in-name"),
            _bad({"kind": "bureau"}, "kind", "unknown-kind"),
            _bad({"parent_id": 10**30}, "parent_id", "huge-id"),
        ),
        bad_queries=({"bogus": "1"}, {"kind": "bureau"}, {"q": "a\x00b"}, {"limit": "0"}),
        filters=(("code", "WANTED", "OTHER"), ("kind", "group", "department")),
    ),
    Resource(
        path="plans",
        model=Plan,
        body=_plan_body,
        make=lambda db, **values: _id_of(f.create_plan(db, **values)),
        fill=_plans,
        change=("title", "第一次", "第二次"),
        required=("code", "title", "year"),
        not_null=("title", "code", "year", "status", "report_grace_days", "auto_remind"),
        bad=(
            _bad({"bogus": 1}, "bogus", "unknown-field"),
            _bad({"id": 99}, "id", "id-not-writable"),
            _bad({"version": 5}, "version", "version-not-writable"),
            _bad({"year": "2024"}, "year", "year-as-string"),
            _bad({"year": 2024.5}, "year", "year-as-fraction"),
            _bad({"title": 123}, "title", "title-as-number"),
            _bad({"status": "finished"}, "status", "unknown-status"),
            _bad({"code": "has space"}, "code", "code-pattern"),
            _bad({"issued_on": 20240301}, "issued_on", "date-as-number"),
            _bad({"issued_on": "2024-02-30"}, "issued_on", "impossible-date"),
            _bad({"title": "a\x00b"}, "title", "nul-in-title"),
            _bad({"issuer": "\x00"}, "issuer", "nul-in-issuer"),
            _bad({"year": 10**30}, "year", "huge-integer"),
            _bad({"year": 1e308}, "year", "huge-float"),
            _bad({"report_grace_days": 10**30}, "report_grace_days", "huge-grace"),
            _bad({"due_soon_days": 61}, "due_soon_days", "due-soon-over-60"),
            _bad({"due_soon_days": -1}, "due_soon_days", "due-soon-negative"),
            _bad({"due_soon_days": "3"}, "due_soon_days", "due-soon-as-string"),
            _bad({"due_soon_days": 2.5}, "due_soon_days", "due-soon-fraction"),
            _bad({"auto_remind": "maybe"}, "auto_remind", "auto-remind-not-bool"),
            _bad({"title": ""}, "title", "empty-title"),
            _bad({"title": "x" * 501}, "title", "title-too-long"),
        ),
        bad_queries=(
            {"bogus": "1"},
            {"status": "finished"},
            {"year": "next"},
            {"limit": "0"},
            {"limit": "-5"},
            {"code": "a\x00"},
        ),
        filters=(("code", "WANTED", "OTHER"), ("year", 2025, 2024), ("status", "closed", "active")),
    ),
    Resource(
        path="tasks",
        model=Task,
        body=_task_body,
        make=lambda db, **values: _id_of(f.create_task(db, **values)),
        fill=_tasks,
        change=("progress", 10, 90),
        required=("plan_id", "kind", "number", "title"),
        not_null=("title", "kind", "number", "status", "progress"),
        fixed=("plan_id",),
        created={"parent_id": None, "related_task_ids": []},
        bad=(
            _bad({"bogus": 1}, "bogus", "unknown-field"),
            _bad({"version": 3}, "version", "version-not-writable"),
            _bad({"plan_id": "1"}, "plan_id", "id-as-string"),
            _bad({"plan_id": 10**30}, "plan_id", "huge-id"),
            _bad({"plan_id": 2**63}, "plan_id", "id-beyond-bigint"),
            _bad({"plan_id": 1e308}, "plan_id", "id-as-huge-float"),
            _bad({"kind": "chapter"}, "kind", "unknown-kind"),
            _bad({"status": "done"}, "status", "unknown-status"),
            _bad({"number": "1" * 17}, "number", "number-too-long"),
            _bad({"progress": 101}, "progress", "progress-over-100"),
            _bad({"progress": 10**30}, "progress", "progress-huge"),
            _bad({"progress": 1e308}, "progress", "progress-huge-float"),
            _bad({"progress": "40"}, "progress", "progress-as-string"),
            _bad({"title": "x\x00"}, "title", "nul-in-title"),
            _bad({"number": "\x001"}, "number", "nul-in-number"),
            _bad({"description": "a\x00b"}, "description", "nul-in-description"),
            _bad({"due_on": "2024-02-30"}, "due_on", "impossible-date"),
            _bad({"due_on": 20241231}, "due_on", "date-as-number"),
            _bad({"start_on": 1704067200}, "start_on", "date-as-timestamp"),
            _bad({"due_on": "31/12/2024"}, "due_on", "date-not-iso"),
            _bad({"due_on": "1704067200"}, "due_on", "date-as-timestamp-string"),
            _bad({"related_task_ids": "1"}, "related_task_ids", "related-not-list"),
        ),
        bad_queries=(
            {"bogus": "1"},
            {"kind": "chapter"},
            {"plan_id": "0"},
            {"plan_id": str(2**64)},
            {"unit_id": "x"},
            {"due_before": "2024-02-30"},
            {"q": "a\x00b"},
            {"limit": "0"},
        ),
        filters=(
            ("kind", "key_task", "work_point"),
            ("number", "四", "五"),
            ("status", "suspended", "in_progress"),
        ),
    ),
    Resource(
        path="responsibilities",
        model=Responsibility,
        body=_responsibility_body,
        make=_responsibility,
        fill=_responsibilities,
        change=("role", "participant", "lead"),
        required=("task_id", "unit_id"),
        not_null=("role",),
        fixed=("task_id", "unit_id"),
        bad=(
            _bad({"bogus": 1}, "bogus", "unknown-field"),
            _bad({"id": 1}, "id", "id-not-writable"),
            _bad({"role": "owner"}, "role", "unknown-role"),
            _bad({"role": "lead\x00"}, "role", "nul-in-role"),
            _bad({"role": 1}, "role", "role-as-number"),
            _bad({"task_id": "1"}, "task_id", "id-as-string"),
            _bad({"task_id": 10**30}, "task_id", "huge-id"),
            _bad({"unit_id": 1e308}, "unit_id", "huge-float-id"),
            _bad({"unit_id": 0}, "unit_id", "zero-id"),
            _bad({"unit_id": None}, "unit_id", "null-id"),
        ),
        bad_queries=(
            {"bogus": "1"},
            {"role": "owner"},
            {"task_id": "0"},
            {"unit_id": "abc"},
            {"limit": "x"},
        ),
        filters=(("role", "participant", "lead"),),
    ),
    Resource(
        path="milestones",
        model=Milestone,
        body=_milestone_body,
        make=_milestone,
        fill=_milestones,
        change=("title", "第一次", "第二次"),
        required=("task_id", "title", "due_on"),
        not_null=("title", "due_on", "status", "note"),
        fixed=("task_id",),
        created={"status": "pending", "completed_on": None},
        bad=(
            _bad({"bogus": 1}, "bogus", "unknown-field"),
            _bad({"completed": True}, "completed", "unknown-flag"),
            _bad({"version": 1}, "version", "version-not-writable"),
            _bad({"task_id": "1"}, "task_id", "id-as-string"),
            _bad({"task_id": 10**30}, "task_id", "huge-id"),
            _bad({"task_id": 1e308}, "task_id", "huge-float-id"),
            _bad({"status": "done"}, "status", "unknown-status"),
            _bad({"title": ["x"]}, "title", "title-as-list"),
            _bad({"title": "节点\x00"}, "title", "nul-in-title"),
            _bad({"note": "\x00"}, "note", "nul-in-note"),
            _bad({"due_on": "2024-02-30"}, "due_on", "impossible-date"),
            _bad({"due_on": 20241231}, "due_on", "date-as-number"),
            _bad({"due_on": 1e308}, "due_on", "date-as-huge-number"),
            _bad({"completed_on": "2024-13-01"}, "completed_on", "bad-completed-on"),
            _bad({"note": "x" * 4001}, "note", "note-too-long"),
        ),
        bad_queries=(
            {"bogus": "1"},
            {"status": "done"},
            {"task_id": "0"},
            {"due_before": "2024-02-30"},
            {"due_before": "soon"},
        ),
        filters=(("status", "cancelled", "pending"),),
    ),
    Resource(
        path="indicators",
        model=Indicator,
        body=_indicator_body,
        make=lambda db, **values: _id_of(f.create_indicator(db, **values)),
        fill=_indicators,
        change=("name", "第一次", "第二次"),
        required=("task_id", "code", "name", "comparator", "target_value"),
        not_null=("code", "name", "comparator", "target_value", "aggregation", "frequency"),
        fixed=("plan_id", "task_id"),
        created={"target_max": None},
        bad=(
            _bad({"bogus": 1}, "bogus", "unknown-field"),
            _bad({"id": 1}, "id", "id-not-writable"),
            _bad({"task_id": "1"}, "task_id", "id-as-string"),
            _bad({"task_id": 10**30}, "task_id", "huge-id"),
            _bad({"code": "有 空格"}, "code", "code-pattern"),
            _bad({"code": "A\x00"}, "code", "nul-in-code"),
            _bad({"name": "指标\x00"}, "name", "nul-in-name"),
            _bad({"source_text": "\x00"}, "source_text", "nul-in-source"),
            _bad({"comparator": "gt"}, "comparator", "unknown-comparator"),
            _bad({"aggregation": "avg"}, "aggregation", "unknown-aggregation"),
            _bad({"frequency": "weekly"}, "frequency", "unknown-frequency"),
            _bad({"target_value": "200"}, "target_value", "value-as-string"),
            _bad({"target_value": True}, "target_value", "value-as-bool"),
            _bad({"target_value": 1e308}, "target_value", "huge-float"),
            _bad({"target_value": 10**30}, "target_value", "huge-integer"),
            _bad({"target_value": -1e16}, "target_value", "huge-negative"),
            _bad({"baseline": 10**30}, "baseline", "huge-baseline"),
            _bad({"target_value": None}, "target_value", "null-value"),
        ),
        bad_queries=(
            {"bogus": "1"},
            {"plan_id": "0"},
            {"task_id": "x"},
            {"code": "a b"},
            {"limit": "-1"},
        ),
        filters=(("code", "KJG-1", "KJG-2"),),
    ),
)
