"""Responsibilities: which unit leads or takes part in which task."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
from app.errors import Conflict
from app.pagination import PageParams
from app.responsibilities.models import Responsibility
from app.responsibilities.schemas import (
    ResponsibilityCreate,
    ResponsibilityQuery,
    ResponsibilityUpdate,
)
from app.tasks.models import Task
from app.units.models import Unit


async def list_responsibilities(
    session: AsyncSession, *, query: ResponsibilityQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    filters = equal_filters(Responsibility, query, "task_id", "unit_id", "role")
    return await list_page(session, Responsibility, page, *filters)


async def get_responsibility(session: AsyncSession, *, responsibility_id: int) -> Record:
    return await get_row_or_404(session, Responsibility, responsibility_id)


async def create_responsibility(
    session: AsyncSession, *, data: ResponsibilityCreate
) -> Responsibility:
    await require_reference(session, Task, data.task_id, field="task_id")
    await require_reference(session, Unit, data.unit_id, field="unit_id")
    existing = await session.scalar(
        select(Responsibility.id).where(
            Responsibility.task_id == data.task_id, Responsibility.unit_id == data.unit_id
        )
    )
    if existing is not None:
        raise Conflict(
            f"unit {data.unit_id} already has a part in task {data.task_id} "
            f"(responsibility {existing}); change its role instead"
        )
    return await add_entity(session, Responsibility, data.model_dump())


async def update_responsibility(
    session: AsyncSession,
    *,
    responsibility_id: int,
    data: ResponsibilityUpdate,
    if_match: str | None,
) -> Responsibility:
    responsibility = await get_for_change(
        session, Responsibility, responsibility_id, if_match=if_match
    )
    return await change_entity(session, responsibility, data.model_dump(exclude_unset=True))


async def delete_responsibility(
    session: AsyncSession, *, responsibility_id: int, if_match: str | None
) -> None:
    responsibility = await get_for_change(
        session, Responsibility, responsibility_id, if_match=if_match
    )
    await delete_entity(session, responsibility)
