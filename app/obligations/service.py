"""Who owes which report by when: for each indicator, its reporter (a unit, or each member of
a group) or else every lead unit of its task, one report per period of the indicator's
frequency, due at the period's end plus the plan's grace days. Derived in SQL from plans,
indicators, responsibilities and reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.obligations.schemas import Obligation, ObligationQuery
from app.pagination import MAX_LIMIT, Page, encode_key_cursor
from app.reports import known as known_reports
from app.reports import periods

# Period end, due date and status are all derived here, so filters and counts (the dashboard's
# overdue reports by unit) stay in the database however many reports there are.
_OBLIGATIONS = """
    WITH {known_cte} owed AS (
        SELECT i.id AS indicator_id, i.code AS indicator_code, i.name AS indicator_name,
               i.task_id, i.plan_id, i.frequency, r.unit_id, u.name AS unit_name,
               {period} AS period,
               make_date(p.year, month, 1) AS period_start,
               (make_date(p.year, month, 1) + step.months - interval '1 day')::date AS period_end,
               (make_date(p.year, month, 1) + step.months - interval '1 day')::date
                   + p.report_grace_days AS due_on
        FROM indicators i
        JOIN plans p ON p.id = i.plan_id
        -- Who owes it: the indicator's reporter (a unit, or each member of a group), else
        -- the task's lead units.
        CROSS JOIN LATERAL (
            SELECT lead.unit_id FROM responsibilities lead
            WHERE i.reporter_unit_id IS NULL AND lead.task_id = i.task_id AND lead.role = 'lead'
            UNION ALL
            SELECT m.id FROM units g JOIN units m
                ON m.id = g.id AND g.kind <> 'group' OR m.parent_id = g.id AND g.kind = 'group'
            WHERE g.id = i.reporter_unit_id
        ) r
        JOIN units u ON u.id = r.unit_id
        CROSS JOIN LATERAL (
            SELECT {length} AS months
        ) step
        CROSS JOIN LATERAL unnest({start_months}) AS start(month)
        WHERE {scope}
    ),
    settled AS (
        SELECT owed.*,
               CASE WHEN rep.status = 'draft' THEN NULL ELSE rep.id END AS report_id,
               CASE WHEN rep.status <> 'draft' THEN rep.first_submitted_at END
                   AS first_submitted_at,
               -- On time: first put forward on or before the due date, on the offices'
               -- calendar (LUOSHI_TIMEZONE), whatever happened to the report since.
               CASE WHEN rep.status <> 'draft' THEN
                   (rep.first_submitted_at AT TIME ZONE CAST(:tz AS text))::date <= owed.due_on
               END AS on_time,
               CASE
                   WHEN rep.status IN ('submitted', 'approved', 'returned') THEN rep.status
                   WHEN CAST(:as_of AS date) <= owed.period_end THEN 'upcoming'
                   WHEN CAST(:as_of AS date) <= owed.due_on THEN 'due'
                   ELSE 'overdue'
               END AS status
        FROM owed
        {report_join}
    )
"""
# The periods of the plan year, in the SQL form of the period rule (app/reports/periods.py).
_PERIODS = {
    "period": periods.label_sql("i.frequency", "p.year", "month"),
    "length": periods.length_sql("i.frequency"),
    "start_months": periods.start_months_sql("i.frequency"),
}
# Keyset order; `:after_start` NULL reads from the start, `:limit` NULL reads everything.
_LIST = """
    SELECT * FROM settled
    WHERE (CAST(:status AS text) IS NULL OR status = CAST(:status AS text))
      AND (CAST(:after_start AS date) IS NULL
           OR (period_start, task_id, indicator_id, unit_id) > (
               CAST(:after_start AS date), CAST(:after_task AS bigint),
               CAST(:after_indicator AS bigint), CAST(:after_unit AS bigint)))
    ORDER BY period_start, task_id, indicator_id, unit_id
    LIMIT CAST(:limit AS integer)
"""
# The scopes are fixed texts of this module; values travel as bound parameters.
PLAN_SCOPE = "p.id = :scope_id"
UNIT_SCOPE = "r.unit_id = :scope_id"
TASKS_SCOPE = "i.task_id = ANY(CAST(:scope_ids AS bigint[]))"


def obligations_sql(scope: str, select: str, *, known: bool) -> str:
    """The obligations of one scope, settled at ``:as_of``, read by ``select`` (from
    ``settled``); binds ``:tz`` and, when ``known``, the reports as known at ``:known_at``."""
    moment = datetime.min if known else None
    # The unique key: an index lookup per obligation.
    join = known_reports.report_join(
        moment,
        "rep",
        "{r}.indicator_id = owed.indicator_id AND {r}.unit_id = owed.unit_id "
        "AND {r}.period = owed.period",
    )
    return (
        _OBLIGATIONS.format(scope=scope, known_cte=known_reports.known_cte(moment),
                            report_join=join, **_PERIODS)
        + select
    )  # fmt: skip


def statements(scope: str, select: str) -> dict[bool, Any]:
    """``obligations_sql`` compiled once for each reading: keyed by ``known_at is not None``."""
    return {known: text(obligations_sql(scope, select, known=known)) for known in (False, True)}


_PLAN_LIST = statements(PLAN_SCOPE, _LIST)
_UNIT_LIST = statements(UNIT_SCOPE, _LIST)
_TASKS_LIST = statements(TASKS_SCOPE, _LIST)


def params(*, as_of: date, known_at: datetime | None) -> dict[str, Any]:
    """The bound values every obligations statement reads."""
    return {"as_of": as_of, "known_at": known_at, "tz": clock.zone()}


def _obligation(row: Any) -> Obligation:
    return Obligation(
        unit_id=row.unit_id,
        unit_name=row.unit_name,
        indicator_code=row.indicator_code,
        indicator_name=row.indicator_name,
        task_id=row.task_id,
        indicator_id=row.indicator_id,
        period=row.period,
        due_on=row.due_on,
        status=row.status,
        report_id=row.report_id,
        first_submitted_at=row.first_submitted_at,
        on_time=row.on_time,
    )


async def _list(
    session: AsyncSession,
    statements: dict[bool, Any],
    *,
    scope_id: int,
    scope_ids: list[int] | None = None,
    as_of: date,
    known_at: datetime | None,
    status: str | None,
    limit: int | None = None,
    after: tuple[date, int, int, int] | None = None,
) -> list[Any]:
    start, task, indicator, unit = after or (None, None, None, None)
    rows = await session.execute(
        statements[known_at is not None],
        {
            **params(as_of=as_of, known_at=known_at),
            "scope_id": scope_id,
            "scope_ids": scope_ids,
            "status": status,
            "limit": limit,
            "after_start": start,
            "after_task": task,
            "after_indicator": indicator,
            "after_unit": unit,
        },
    )
    return list(rows)


async def plan_obligations(
    session: AsyncSession,
    *,
    plan_id: int,
    as_of: date,
    known_at: datetime | None = None,
    status: str | None,
) -> list[Obligation]:
    return await _all(session, _PLAN_LIST, plan_id, as_of=as_of, known_at=known_at, status=status)


async def unit_obligations(
    session: AsyncSession,
    *,
    unit_id: int,
    as_of: date,
    known_at: datetime | None = None,
    status: str | None,
) -> list[Obligation]:
    return await _all(session, _UNIT_LIST, unit_id, as_of=as_of, known_at=known_at, status=status)


async def _all(
    session: AsyncSession,
    statements: dict[bool, Any],
    scope_id: int,
    *,
    as_of: date,
    known_at: datetime | None,
    status: str | None,
) -> list[Obligation]:
    rows = await _list(
        session, statements, scope_id=scope_id, as_of=as_of, known_at=known_at, status=status
    )
    return [_obligation(row) for row in rows]


async def tasks_obligations(
    session: AsyncSession,
    *,
    task_ids: list[int],
    as_of: date,
    known_at: datetime | None = None,
    status: str | None = None,
) -> list[Obligation]:
    rows = await _list(
        session,
        _TASKS_LIST,
        scope_id=0,
        scope_ids=task_ids,
        as_of=as_of,
        known_at=known_at,
        status=status,
    )
    return [_obligation(row) for row in rows]


async def obligation_page(
    session: AsyncSession,
    *,
    plan_id: int | None = None,
    unit_id: int | None = None,
    query: ObligationQuery,
) -> Page[Obligation]:
    """One page of a plan's or a unit's obligations, in period order."""
    stmts, scope_id = (_PLAN_LIST, plan_id) if plan_id is not None else (_UNIT_LIST, unit_id)
    assert scope_id is not None
    limit = min(query.limit, MAX_LIMIT)
    rows = await _list(
        session,
        stmts,
        scope_id=scope_id,
        as_of=query.as_of or clock.today(),
        known_at=query.known_at,
        status=query.status,
        limit=limit + 1,
        after=query.after(),
    )
    cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        cursor = encode_key_cursor(
            (last.period_start.isoformat(), last.task_id, last.indicator_id, last.unit_id)
        )
    return Page[Obligation](items=[_obligation(row) for row in rows], next_cursor=cursor)
