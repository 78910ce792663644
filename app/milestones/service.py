"""Milestones: dated checkpoints of a task."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.auth.scope import ensure_fields, get_in_scope, reporter_unit, unit_responsible_for
from app.auth.service import Principal
from app.crud import (
    Record,
    apply_changes,
    check_if_match,
    fetch_page,
    get_or_404,
    get_row_or_404,
    new_entity,
    read_select,
    require_reference,
)
from app.milestones.models import Milestone
from app.milestones.schemas import MilestoneCreate, MilestoneQuery, MilestoneUpdate
from app.pagination import PageParams
from app.tasks import rules as task_rules
from app.tasks.models import Task


async def list_milestones(
    session: AsyncSession, *, query: MilestoneQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    stmt = read_select(Milestone)
    if query.task_id is not None:
        stmt = stmt.where(Milestone.task_id == query.task_id)
    if query.status is not None:
        stmt = stmt.where(Milestone.status == query.status)
    if query.due_before is not None:
        stmt = stmt.where(Milestone.due_on < query.due_before)
    return await fetch_page(session, stmt, Milestone, page)


async def get_milestone(session: AsyncSession, *, milestone_id: int) -> Record:
    return await get_row_or_404(session, Milestone, milestone_id)


async def create_milestone(session: AsyncSession, *, data: MilestoneCreate) -> Milestone:
    await require_reference(session, Task, data.task_id, field="task_id")
    values = data.model_dump()
    values["completed_on"] = task_rules.completed_on(
        status=values["status"],
        status_written=values["status"],
        written=values["completed_on"],
        kept=values["completed_on"],
        old=None,
        today=clock.today(),
    )
    milestone = new_entity(Milestone, values)
    session.add(milestone)
    await session.flush()
    return milestone


REPORTER_FIELDS = {"status", "completed_on", "note"}


async def update_milestone(
    session: AsyncSession,
    *,
    milestone_id: int,
    data: MilestoneUpdate,
    if_match: str | None,
    actor: Principal,
) -> Milestone:
    changes = data.model_dump(exclude_unset=True)
    ensure_fields(actor, changes, REPORTER_FIELDS)
    unit = reporter_unit(actor)
    milestone = await get_in_scope(
        session,
        Milestone,
        milestone_id,
        scope=None if unit is None else unit_responsible_for(unit, Milestone.task_id),
        for_update=True,
    )
    check_if_match(if_match, milestone)
    changes["completed_on"] = task_rules.completed_on(
        status=changes.get("status", milestone.status),
        status_written=changes.get("status"),
        written=changes.get("completed_on"),
        kept=changes.get("completed_on", milestone.completed_on),
        old=milestone.completed_on,
        today=clock.today(),
    )
    apply_changes(milestone, changes)
    await session.flush()
    return milestone


async def delete_milestone(
    session: AsyncSession, *, milestone_id: int, if_match: str | None
) -> None:
    milestone = await get_or_404(session, Milestone, milestone_id, for_update=True)
    check_if_match(if_match, milestone)
    await session.delete(milestone)
    await session.flush()
