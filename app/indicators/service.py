"""Indicators: the quantitative targets of tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Row, select, text
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
from app.errors import Conflict, InvalidInput, NotFound
from app.indicators import progress
from app.indicators.models import Indicator
from app.indicators.schemas import (
    IndicatorCreate,
    IndicatorProgress,
    IndicatorQuery,
    IndicatorUpdate,
    check_range,
)
from app.pagination import PageParams
from app.plans.models import Plan
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


# Counted: submitted and approved reports whose period has started by the date. Each
# aggregation is computed in the database; only its one row comes back.
_PROGRESS = text(
    """
    WITH counted AS (
        SELECT unit_id, period_start, value, status = 'approved' AS approved
        FROM indicator_reports
        WHERE indicator_id = :indicator_id
          AND status IN ('submitted', 'approved')
          AND period_start <= :as_of
    ),
    latest AS (
        SELECT DISTINCT ON (unit_id) value FROM counted ORDER BY unit_id, period_start DESC
    ),
    latest_approved AS (
        SELECT DISTINCT ON (unit_id) value FROM counted WHERE approved
        ORDER BY unit_id, period_start DESC
    )
    SELECT
        (SELECT count(*) FROM counted) AS counted,
        CASE :aggregation
            WHEN 'sum' THEN (SELECT sum(value) FROM counted)
            WHEN 'max' THEN (SELECT max(value) FROM counted)
            ELSE (SELECT sum(value) FROM latest)
        END AS actual,
        CASE :aggregation
            WHEN 'sum' THEN (SELECT sum(value) FROM counted WHERE approved)
            WHEN 'max' THEN (SELECT max(value) FROM counted WHERE approved)
            ELSE (SELECT sum(value) FROM latest_approved)
        END AS approved_actual
    """
)


async def indicator_progress(
    session: AsyncSession, *, indicator_id: int, as_of: date
) -> IndicatorProgress:
    """Actual against target and against the pace expected by ``as_of``."""
    row = (
        await session.execute(
            select(Indicator, Plan.year)
            .join(Plan, Plan.id == Indicator.plan_id)
            .where(Indicator.id == indicator_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"indicator {indicator_id} does not exist")
    indicator, year = row
    figures = (
        await session.execute(
            _PROGRESS,
            {"indicator_id": indicator_id, "as_of": as_of, "aggregation": indicator.aggregation},
        )
    ).one()
    target = float(indicator.target_value)
    target_max = None if indicator.target_max is None else float(indicator.target_max)
    share = progress.elapsed_share(year, as_of)
    expected = progress.expected_by(target, share)
    actual = None if figures.actual is None else float(figures.actual)
    return IndicatorProgress(
        indicator_id=indicator_id,
        as_of=as_of,
        comparator=indicator.comparator,
        target_value=target,
        target_max=target_max,
        aggregation=indicator.aggregation,
        actual=actual,
        approved_actual=None if figures.approved_actual is None else float(figures.approved_actual),
        expected=round(expected, 4),
        elapsed_share=round(share, 4),
        reports_counted=figures.counted,
        status=progress.status_of(
            comparator=indicator.comparator,
            target=target,
            target_max=target_max,
            actual=actual,
            expected=expected,
            year_over=share >= 1,
        ),
    )
