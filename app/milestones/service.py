"""Milestones: dated checkpoints of a task."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.auth.scope import get_for_reporter_change
from app.auth.service import Principal
from app.crud import (
    Record,
    add_entity,
    change_entity,
    delete_entity,
    equal_filters,
    get_for_change,
    get_row_or_404,
    list_page,
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
    filters = equal_filters(Milestone, query, "task_id", "status")
    if query.due_before is not None:
        filters.append(Milestone.due_on < query.due_before)
    return await list_page(session, Milestone, page, *filters)


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
    return await add_entity(session, Milestone, values)


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
    milestone = await get_for_reporter_change(
        session,
        Milestone,
        milestone_id,
        task_id=Milestone.task_id,
        actor=actor,
        changes=changes,
        reporter_fields=REPORTER_FIELDS,
        if_match=if_match,
    )
    changes["completed_on"] = task_rules.completed_on(
        status=changes.get("status", milestone.status),
        status_written=changes.get("status"),
        written=changes.get("completed_on"),
        kept=changes.get("completed_on", milestone.completed_on),
        old=milestone.completed_on,
        today=clock.today(),
    )
    return await change_entity(session, milestone, changes)


async def delete_milestone(
    session: AsyncSession, *, milestone_id: int, if_match: str | None
) -> None:
    milestone = await get_for_change(session, Milestone, milestone_id, if_match=if_match)
    await delete_entity(session, milestone)
