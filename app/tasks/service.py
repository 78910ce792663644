"""Tasks: the plan tree, its links between key tasks and work points, and their progress."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.auth.scope import get_for_reporter_change
from app.auth.service import Principal
from app.crud import (
    Record,
    apply_changes,
    delete_entity,
    ensure_unique,
    ensure_unreferenced,
    equal_filters,
    get_for_change,
    get_row_or_404,
    list_page,
    new_entity,
    require_reference,
    text_search,
    touch,
)
from app.errors import InvalidInput
from app.indicators.models import Indicator
from app.pagination import PageParams
from app.plans.models import Plan
from app.responsibilities.models import Responsibility
from app.tasks import rules
from app.tasks.models import Task, TaskRelation
from app.tasks.schemas import TaskCreate, TaskQuery, TaskUpdate
from app.units.service import self_and_ancestors


def _invalid(field: str, detail: str) -> InvalidInput:
    return InvalidInput(f"{field}: {detail}", errors=[{"pointer": f"#/{field}", "detail": detail}])


async def list_tasks(
    session: AsyncSession, *, query: TaskQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    filters = equal_filters(Task, query, "plan_id", "parent_id", "kind", "number", "status")
    if query.unit_id is not None:
        filters.append(
            exists().where(
                Responsibility.task_id == Task.id,
                Responsibility.unit_id.in_(self_and_ancestors(query.unit_id)),
            )
        )
    if query.due_before is not None:
        filters.append(Task.due_on < query.due_before)
    filters += text_search(query.q, Task.title, Task.description)
    return await list_page(session, Task, page, *filters)


async def get_task(session: AsyncSession, *, task_id: int) -> Record:
    return await get_row_or_404(session, Task, task_id)


async def _ensure_number_free(
    session: AsyncSession, *, plan_id: int, kind: str, number: str, other_than: int | None
) -> None:
    await ensure_unique(
        session,
        Task,
        Task.plan_id == plan_id,
        Task.kind == kind,
        Task.number == number,
        other_than=other_than,
        conflict=f"plan {plan_id} already has a {kind} numbered {number!r}",
    )


async def _check_parent(
    session: AsyncSession, *, plan_id: int, parent_id: int, task_id: int | None
) -> None:
    parent = await require_reference(session, Task, parent_id, field="parent_id")
    if parent.plan_id != plan_id:
        raise _invalid("parent_id", f"task {parent_id} belongs to another plan")
    if task_id is None:
        return
    chain = select(Task.id, Task.parent_id).where(Task.id == parent_id).cte("up", recursive=True)
    chain = chain.union(select(Task.id, Task.parent_id).join(chain, Task.id == chain.c.parent_id))
    if await session.scalar(select(exists().where(chain.c.id == task_id))):
        raise _invalid("parent_id", "a task cannot be placed under itself or its own subtasks")


async def _check_related(
    session: AsyncSession, *, plan_id: int, related: list[int], task_id: int | None
) -> list[int]:
    wanted = sorted(set(related))
    if task_id is not None and task_id in wanted:
        raise _invalid("related_task_ids", "a task cannot be related to itself")
    if not wanted:
        return wanted
    found = set(
        (
            await session.execute(
                select(Task.id).where(Task.id.in_(wanted), Task.plan_id == plan_id)
            )
        ).scalars()
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise _invalid("related_task_ids", f"no task {missing} in plan {plan_id}")
    return wanted


async def _partners(session: AsyncSession, task_id: int) -> set[int]:
    stmt = select(TaskRelation.related_task_id).where(TaskRelation.task_id == task_id)
    return set((await session.execute(stmt)).scalars())


async def _touch_tasks(session: AsyncSession, task_ids: set[int]) -> None:
    """The other side of a link changed too: a new version (so a new ETag) for each."""
    if task_ids:
        await session.execute(
            update(Task)
            .where(Task.id.in_(task_ids))
            .values(version=Task.version + 1, updated_at=datetime.now(UTC))
        )


async def _set_relations(session: AsyncSession, *, task_id: int, related: list[int]) -> None:
    """Replace the task's links, keeping them symmetric."""
    await _touch_tasks(session, await _partners(session, task_id) ^ set(related))
    await session.execute(
        delete(TaskRelation).where(
            or_(TaskRelation.task_id == task_id, TaskRelation.related_task_id == task_id)
        )
    )
    if related:
        pairs = [{"task_id": task_id, "related_task_id": other} for other in related]
        pairs += [{"task_id": other, "related_task_id": task_id} for other in related]
        await session.execute(insert(TaskRelation), pairs)


def _apply_rules(values: dict[str, Any], *, before: Task | None) -> None:
    """Status follows progress and the completion date follows status (see app/tasks/rules.py)."""
    status = rules.status_for_progress(
        values.get("status", before.status if before else "not_started"),
        values.get("progress", before.progress if before else 0),
    )
    old = before.completed_on if before else None
    values["completed_on"] = rules.completed_on(
        status=status,
        status_written=values.get("status"),
        written=values.get("completed_on"),
        kept=values.get("completed_on", old),
        old=old,
        today=clock.today(),
    )
    values["status"] = status


async def create_task(session: AsyncSession, *, data: TaskCreate) -> Task:
    await require_reference(session, Plan, data.plan_id, field="plan_id")
    await _ensure_number_free(
        session, plan_id=data.plan_id, kind=data.kind, number=data.number, other_than=None
    )
    if data.parent_id is not None:
        await _check_parent(session, plan_id=data.plan_id, parent_id=data.parent_id, task_id=None)
    related = await _check_related(
        session, plan_id=data.plan_id, related=data.related_task_ids, task_id=None
    )
    values = data.model_dump(exclude={"related_task_ids"})
    _apply_rules(values, before=None)
    task = new_entity(Task, values)
    session.add(task)
    await session.flush()
    if related:
        await _set_relations(session, task_id=task.id, related=related)
    await session.refresh(task, attribute_names=["related_task_ids"])
    return task


REPORTER_FIELDS = {"status", "progress", "completed_on"}


async def update_task(
    session: AsyncSession,
    *,
    task_id: int,
    data: TaskUpdate,
    if_match: str | None,
    actor: Principal,
) -> Task:
    changes = data.model_dump(exclude_unset=True)
    task = await get_for_reporter_change(
        session,
        Task,
        task_id,
        task_id=Task.id,
        actor=actor,
        changes=changes,
        reporter_fields=REPORTER_FIELDS,
        if_match=if_match,
    )
    related = changes.pop("related_task_ids", None)
    if {"kind", "number"} & changes.keys():
        await _ensure_number_free(
            session,
            plan_id=task.plan_id,
            kind=changes.get("kind", task.kind),
            number=changes.get("number", task.number),
            other_than=task_id,
        )
    if changes.get("parent_id") is not None:
        await _check_parent(
            session, plan_id=task.plan_id, parent_id=changes["parent_id"], task_id=task_id
        )
    if rules.dates_out_of_order(
        changes.get("start_on", task.start_on), changes.get("due_on", task.due_on)
    ):
        raise _invalid("due_on", rules.DATES_OUT_OF_ORDER)
    _apply_rules(changes, before=task)
    changed = apply_changes(task, changes)
    if related is not None:
        related = await _check_related(
            session, plan_id=task.plan_id, related=related, task_id=task_id
        )
        if related != list(task.related_task_ids):
            await _set_relations(session, task_id=task_id, related=related)
            if not changed:
                touch(task)
    await session.flush()
    await session.refresh(task, attribute_names=["related_task_ids"])
    return task


async def delete_task(session: AsyncSession, *, task_id: int, if_match: str | None) -> None:
    """Delete a task with its responsibilities and milestones; never one with data under it."""
    task = await get_for_change(session, Task, task_id, if_match=if_match)
    await ensure_unreferenced(
        session,
        what=f"task {task_id}",
        references={
            "subtasks": Task.parent_id == task_id,
            "indicators": Indicator.task_id == task_id,
        },
    )
    await _touch_tasks(session, await _partners(session, task_id))
    await delete_entity(session, task)
