"""Indicators: the quantitative targets of tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.crud import (
    apply_changes,
    check_if_match,
    ensure_unreferenced,
    fetch_page,
    get_or_404,
    get_row_or_404,
    new_entity,
    read_select,
    require_reference,
)
from app.errors import Conflict, InvalidInput
from app.indicators.models import Indicator
from app.indicators.schemas import IndicatorCreate, IndicatorQuery, IndicatorUpdate, check_range
from app.pagination import PageParams
from app.reports.models import IndicatorReport
from app.tasks.models import Task

# Numeric(20, 4) rounds what it stores; read it back so responses show the stored value.


async def list_indicators(
    session: AsyncSession, *, query: IndicatorQuery, page: PageParams
) -> tuple[list[Row[Any]], str | None]:
    stmt = read_select(Indicator)
    for field in ("task_id", "plan_id", "code"):
        value = getattr(query, field)
        if value is not None:
            stmt = stmt.where(getattr(Indicator, field) == value)
    return await fetch_page(session, stmt, Indicator, page)


async def get_indicator(session: AsyncSession, *, indicator_id: int) -> Row[Any]:
    return await get_row_or_404(session, Indicator, indicator_id)


async def _ensure_code_free(
    session: AsyncSession, *, plan_id: int, code: str, other_than: int | None
) -> None:
    stmt = select(Indicator.id).where(Indicator.plan_id == plan_id, Indicator.code == code)
    if other_than is not None:
        stmt = stmt.where(Indicator.id != other_than)
    if (await session.execute(stmt)).first() is not None:
        raise Conflict(f"plan {plan_id} already has an indicator with code {code!r}")


async def create_indicator(session: AsyncSession, *, data: IndicatorCreate) -> Indicator:
    task = await require_reference(session, Task, data.task_id, field="task_id")
    await _ensure_code_free(session, plan_id=task.plan_id, code=data.code, other_than=None)
    indicator = new_entity(Indicator, {**data.model_dump(), "plan_id": task.plan_id})
    session.add(indicator)
    await session.flush()
    return indicator


async def update_indicator(
    session: AsyncSession, *, indicator_id: int, data: IndicatorUpdate, if_match: str | None
) -> Indicator:
    indicator = await get_or_404(session, Indicator, indicator_id, for_update=True)
    check_if_match(if_match, indicator)
    changes = data.model_dump(exclude_unset=True)
    if "code" in changes:
        await _ensure_code_free(
            session, plan_id=indicator.plan_id, code=changes["code"], other_than=indicator_id
        )
    comparator = changes.get("comparator", indicator.comparator)
    if comparator != "between" and "comparator" in changes and "target_max" not in changes:
        changes["target_max"] = None  # no longer a range
    target_max = changes.get("target_max", indicator.target_max)
    try:
        check_range(
            comparator,
            float(changes.get("target_value", indicator.target_value)),
            None if target_max is None else float(target_max),
        )
    except ValueError as exc:
        raise InvalidInput(
            str(exc), errors=[{"pointer": "#/target_max", "detail": str(exc)}]
        ) from exc
    apply_changes(indicator, changes)
    await session.flush()
    return indicator


async def delete_indicator(
    session: AsyncSession, *, indicator_id: int, if_match: str | None
) -> None:
    indicator = await get_or_404(session, Indicator, indicator_id, for_update=True)
    check_if_match(if_match, indicator)
    await ensure_unreferenced(
        session,
        what=f"indicator {indicator_id}",
        references={"indicator reports": IndicatorReport.indicator_id == indicator_id},
    )
    await session.delete(indicator)
    await session.flush()
