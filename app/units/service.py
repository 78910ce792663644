"""Units: organisation units and the collective groups that stand for many of them."""

from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import ApiKey
from app.crud import (
    Record,
    add_entity,
    change_entity,
    delete_entity,
    ensure_code_free,
    ensure_unreferenced,
    equal_filters,
    get_for_change,
    get_row_or_404,
    list_page,
    require_reference,
    text_search,
)
from app.errors import InvalidInput
from app.pagination import PageParams
from app.reports.models import IndicatorReport
from app.responsibilities.models import Responsibility
from app.units.models import Unit
from app.units.schemas import UnitCreate, UnitQuery, UnitUpdate


async def list_units(
    session: AsyncSession, *, query: UnitQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    return await list_page(
        session,
        Unit,
        page,
        *equal_filters(Unit, query, "code", "kind", "parent_id"),
        *text_search(query.q, Unit.name, Unit.code),
    )


async def get_unit(session: AsyncSession, *, unit_id: int) -> Record:
    return await get_row_or_404(session, Unit, unit_id)


async def create_unit(session: AsyncSession, *, data: UnitCreate) -> Unit:
    await ensure_code_free(session, Unit, data.code, other_than=None)
    if data.parent_id is not None:
        await require_reference(session, Unit, data.parent_id, field="parent_id")
    return await add_entity(session, Unit, data.model_dump())


async def _ensure_no_cycle(session: AsyncSession, unit_id: int, parent_id: int) -> None:
    """Walk up from the new parent; meeting the unit itself would make a loop."""
    ancestors = (
        select(Unit.id, Unit.parent_id).where(Unit.id == parent_id).cte("ancestors", recursive=True)
    )
    ancestors = ancestors.union(
        select(Unit.id, Unit.parent_id).join(ancestors, Unit.id == ancestors.c.parent_id)
    )
    loop = await session.scalar(select(exists().where(ancestors.c.id == unit_id)))
    if loop:
        raise InvalidInput(
            "parent_id: a unit cannot belong to itself or to one of its own members",
            errors=[{"pointer": "#/parent_id", "detail": "would create a cycle"}],
        )


async def update_unit(
    session: AsyncSession, *, unit_id: int, data: UnitUpdate, if_match: str | None
) -> Unit:
    unit = await get_for_change(session, Unit, unit_id, if_match=if_match)
    changes = data.model_dump(exclude_unset=True)
    if "code" in changes:
        await ensure_code_free(session, Unit, changes["code"], other_than=unit_id)
    if changes.get("parent_id") is not None:
        await require_reference(session, Unit, changes["parent_id"], field="parent_id")
        await _ensure_no_cycle(session, unit_id, changes["parent_id"])
    return await change_entity(session, unit, changes)


async def delete_unit(session: AsyncSession, *, unit_id: int, if_match: str | None) -> None:
    unit = await get_for_change(session, Unit, unit_id, if_match=if_match)
    await ensure_unreferenced(
        session,
        what=f"unit {unit_id}",
        references={
            "responsibilities": Responsibility.unit_id == unit_id,
            "indicator reports": IndicatorReport.unit_id == unit_id,
            "member units": Unit.parent_id == unit_id,
            "API keys": ApiKey.unit_id == unit_id,
        },
    )
    await delete_entity(session, unit)


def self_and_ancestors(unit_id: int) -> Select[tuple[int]]:
    """The unit and every unit or group it belongs to: responsibility reaches members."""
    chain = select(Unit.id, Unit.parent_id).where(Unit.id == unit_id).cte("chain", recursive=True)
    chain = chain.union(select(Unit.id, Unit.parent_id).join(chain, Unit.id == chain.c.parent_id))
    return select(chain.c.id)
