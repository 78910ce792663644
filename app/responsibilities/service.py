"""Responsibilities: which unit leads or takes part in which task."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
    stmt = read_select(Responsibility)
    for field in ("task_id", "unit_id", "role"):
        value = getattr(query, field)
        if value is not None:
            stmt = stmt.where(getattr(Responsibility, field) == value)
    return await fetch_page(session, stmt, Responsibility, page)


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
    responsibility = new_entity(Responsibility, data.model_dump())
    session.add(responsibility)
    await session.flush()
    return responsibility


async def update_responsibility(
    session: AsyncSession,
    *,
    responsibility_id: int,
    data: ResponsibilityUpdate,
    if_match: str | None,
) -> Responsibility:
    responsibility = await get_or_404(session, Responsibility, responsibility_id, for_update=True)
    check_if_match(if_match, responsibility)
    apply_changes(responsibility, data.model_dump(exclude_unset=True))
    await session.flush()
    return responsibility


async def delete_responsibility(
    session: AsyncSession, *, responsibility_id: int, if_match: str | None
) -> None:
    responsibility = await get_or_404(session, Responsibility, responsibility_id, for_update=True)
    check_if_match(if_match, responsibility)
    await session.delete(responsibility)
    await session.flush()
