"""Indicators: the quantitative targets of tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.crud import (
    Record,
    add_entity,
    change_entity,
    delete_entity,
    ensure_unique,
    ensure_unreferenced,
    equal_filters,
    get_for_change,
    get_row_or_404,
    list_page,
    require_reference,
)
from app.errors import Conflict, InvalidInput, NotFound
from app.indicators import progress, rules
from app.indicators.models import Indicator
from app.indicators.schemas import (
    IndicatorCreate,
    IndicatorProgress,
    IndicatorQuery,
    IndicatorUpdate,
    check_range,
)
from app.pagination import PageParams
from app.reports import known as known_reports
from app.reports.models import IndicatorReport
from app.tasks.models import Task
from app.units.models import Unit

# Numeric(20, 4) rounds what it stores; read it back so responses show the stored value.


async def list_indicators(
    session: AsyncSession, *, query: IndicatorQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    filters = equal_filters(Indicator, query, "task_id", "plan_id", "code")
    return await list_page(session, Indicator, page, *filters)


async def get_indicator(session: AsyncSession, *, indicator_id: int) -> Record:
    return await get_row_or_404(session, Indicator, indicator_id)


async def _ensure_code_free(
    session: AsyncSession, *, plan_id: int, code: str, other_than: int | None
) -> None:
    await ensure_unique(
        session,
        Indicator,
        Indicator.plan_id == plan_id,
        Indicator.code == code,
        other_than=other_than,
        conflict=f"plan {plan_id} already has an indicator with code {code!r}",
    )


async def create_indicator(session: AsyncSession, *, data: IndicatorCreate) -> Indicator:
    task = await require_reference(session, Task, data.task_id, field="task_id")
    if data.reporter_unit_id is not None:
        await require_reference(session, Unit, data.reporter_unit_id, field="reporter_unit_id")
    await _ensure_code_free(session, plan_id=task.plan_id, code=data.code, other_than=None)
    return await add_entity(session, Indicator, {**data.model_dump(), "plan_id": task.plan_id})


async def update_indicator(
    session: AsyncSession, *, indicator_id: int, data: IndicatorUpdate, if_match: str | None
) -> Indicator:
    indicator = await get_for_change(session, Indicator, indicator_id, if_match=if_match)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("reporter_unit_id") is not None:
        await require_reference(
            session, Unit, changes["reporter_unit_id"], field="reporter_unit_id"
        )
    if "code" in changes:
        await _ensure_code_free(
            session, plan_id=indicator.plan_id, code=changes["code"], other_than=indicator_id
        )
    if changes.get("frequency", indicator.frequency) != indicator.frequency:
        reports = await session.scalar(
            select(func.count()).where(IndicatorReport.indicator_id == indicator_id)
        )
        if reports:
            raise Conflict(
                f"indicator {indicator_id} has {reports} reports for its {indicator.frequency} "
                "periods; its frequency cannot change while they exist"
            )
    comparator = changes.get("comparator", indicator.comparator)
    target_max = rules.target_max(
        comparator=comparator,
        comparator_written="comparator" in changes,
        max_written="target_max" in changes,
        written=changes.get("target_max"),
        kept=indicator.target_max,
    )
    if "target_max" in changes or target_max != indicator.target_max:
        changes["target_max"] = target_max
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
    return await change_entity(session, indicator, changes)


async def delete_indicator(
    session: AsyncSession, *, indicator_id: int, if_match: str | None
) -> None:
    indicator = await get_for_change(session, Indicator, indicator_id, if_match=if_match)
    await ensure_unreferenced(
        session,
        what=f"indicator {indicator_id}",
        references={"indicator reports": IndicatorReport.indicator_id == indicator_id},
    )
    await delete_entity(session, indicator)


# Counted: submitted and approved reports whose period has started by the date. Every
# aggregation is computed in the database, for one indicator or a whole plan at once; one row
# per indicator comes back. Sums and maxima take one (parallel) pass over the reports; `latest`
# reads only the reports of `latest` indicators and picks each unit's latest value with a
# hashed max over "period_start value" text (fixed-width dates sort as text), so no sort of the
# reports is needed.
_PROGRESS = """
    WITH {known_cte} ind AS (
        SELECT i.id, i.task_id, i.code, i.name, i.unit_label, i.comparator, i.target_value,
               i.target_max, i.aggregation, p.year
        FROM indicators i JOIN plans p ON p.id = i.plan_id
        WHERE {scope}
    ),
    totals AS (
        SELECT r.indicator_id, count(*) AS counted,
               sum(r.value) AS sum_all, max(r.value) AS max_all,
               sum(r.value) FILTER (WHERE r.status = 'approved') AS sum_approved,
               max(r.value) FILTER (WHERE r.status = 'approved') AS max_approved
        FROM {reports} r
        WHERE r.indicator_id IN (SELECT i.id FROM indicators i WHERE {scope})
          AND r.status IN ('submitted', 'approved') AND r.period_start <= :as_of
        GROUP BY r.indicator_id
    ),
    each_unit AS (
        SELECT r.indicator_id,
               max(r.period_start::text || ' ' || r.value::text) AS last,
               max(r.period_start::text || ' ' || r.value::text)
                   FILTER (WHERE r.status = 'approved') AS last_approved
        FROM {reports} r
        WHERE r.indicator_id IN (
            SELECT i.id FROM indicators i WHERE {scope} AND i.aggregation = 'latest'
        )
          AND r.status IN ('submitted', 'approved') AND r.period_start <= :as_of
        GROUP BY r.indicator_id, r.unit_id
    ),
    latest AS (
        SELECT indicator_id, sum(split_part(last, ' ', 2)::numeric) AS value,
               sum(split_part(last_approved, ' ', 2)::numeric) AS value_approved
        FROM each_unit GROUP BY indicator_id
    )
    SELECT ind.*, coalesce(t.counted, 0) AS counted,
        CASE ind.aggregation
            WHEN 'sum' THEN t.sum_all WHEN 'max' THEN t.max_all ELSE l.value
        END AS actual,
        CASE ind.aggregation
            WHEN 'sum' THEN t.sum_approved WHEN 'max' THEN t.max_approved ELSE l.value_approved
        END AS approved_actual
    FROM ind
    LEFT JOIN totals t ON t.indicator_id = ind.id
    LEFT JOIN latest l ON l.indicator_id = ind.id
    ORDER BY ind.id
"""
# The scopes are fixed texts of this module; values travel as bound parameters. Each scope
# reads the reports as they are now, or as they were known at ``:known_at``.
_SCOPES = {
    "indicator": "i.id = :scope_id",
    "tasks": "i.task_id = ANY(CAST(:scope_ids AS bigint[]))",
    "plan": "i.plan_id = :scope_id",
}
_STATEMENTS = {
    (scope, known): text(
        _PROGRESS.format(
            scope=condition,
            known_cte=known_reports.known_cte(known),
            reports=known_reports.reports_source(known),
        )
    )
    for scope, condition in _SCOPES.items()
    for known in (None, datetime.min)
}


def _progress_sql(scope: str, known_at: datetime | None) -> Any:
    return _STATEMENTS[scope, None if known_at is None else datetime.min]


def _progress_of(row: Any, as_of: date, known_at: datetime | None) -> IndicatorProgress:
    target = float(row.target_value)
    target_max = None if row.target_max is None else float(row.target_max)
    share = progress.elapsed_share(row.year, as_of)
    expected = progress.expected_by(progress.pace_target(row.comparator, target), share)
    actual = None if row.actual is None else float(row.actual)
    return IndicatorProgress(
        indicator_id=row.id,
        as_of=as_of,
        known_at=known_at or clock.now(),
        comparator=row.comparator,
        target_value=target,
        target_max=target_max,
        aggregation=row.aggregation,
        actual=actual,
        approved_actual=None if row.approved_actual is None else float(row.approved_actual),
        expected=round(expected, 4),
        elapsed_share=round(share, 4),
        reports_counted=row.counted,
        status=progress.status_of(
            comparator=row.comparator,
            target=target,
            target_max=target_max,
            actual=actual,
            expected=expected,
            year_over=share >= 1,
        ),
    )


async def indicator_progress(
    session: AsyncSession, *, indicator_id: int, as_of: date, known_at: datetime | None = None
) -> IndicatorProgress:
    """Actual against target and against the pace expected by ``as_of``, from the reports as
    known at ``known_at`` (default: now)."""
    rows = await session.execute(
        _progress_sql("indicator", known_at),
        {"scope_id": indicator_id, "as_of": as_of, "known_at": known_at},
    )
    row = rows.one_or_none()
    if row is None:
        raise NotFound(f"indicator {indicator_id} does not exist")
    return _progress_of(row, as_of, known_at)


async def progress_of_many(
    session: AsyncSession,
    *,
    as_of: date,
    known_at: datetime | None = None,
    task_ids: list[int] | None = None,
    plan_id: int | None = None,
) -> list[tuple[Any, IndicatorProgress]]:
    """Every indicator of some tasks or of a plan with its progress, in one statement.

    Each item is the indicator's row (id, task_id, code, name, unit_label, targets) and its
    progress.
    """
    scope = "tasks" if task_ids is not None else "plan"
    rows = await session.execute(
        _progress_sql(scope, known_at),
        {"scope_id": plan_id, "scope_ids": task_ids, "as_of": as_of, "known_at": known_at},
    )
    moment = known_at or clock.now()
    return [(row, _progress_of(row, as_of, moment)) for row in rows]
