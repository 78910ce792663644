"""Who owes which report by when: every lead unit of a task, for each indicator of the task,
one report per period of the indicator's frequency, due at the period's end plus the plan's
grace days. Derived in SQL from plans, indicators, responsibilities and reports."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.reports.periods import FREQUENCY_OF_KIND, Period

ObligationStatus = Literal["upcoming", "due", "overdue", "submitted", "approved", "returned"]
_KIND_OF_FREQUENCY = {frequency: kind for kind, frequency in FREQUENCY_OF_KIND.items()}
_MONTHS = {"annual": 12, "semiannual": 6, "quarterly": 3, "monthly": 1}

_OBLIGATIONS = """
    WITH owed AS (
        SELECT i.id AS indicator_id, i.task_id, i.frequency, r.unit_id, p.report_grace_days,
               period.start::date AS period_start
        FROM indicators i
        JOIN plans p ON p.id = i.plan_id
        JOIN responsibilities r ON r.task_id = i.task_id AND r.role = 'lead'
        CROSS JOIN LATERAL generate_series(
            make_date(p.year, 1, 1),
            make_date(p.year, 12, 1),
            CASE i.frequency
                WHEN 'annual' THEN interval '12 months'
                WHEN 'semiannual' THEN interval '6 months'
                WHEN 'quarterly' THEN interval '3 months'
                ELSE interval '1 month'
            END
        ) AS period(start)
        WHERE {scope}
    )
    SELECT owed.*, rep.id AS report_id, rep.status AS report_status
    FROM owed
    LEFT JOIN indicator_reports rep
        ON rep.indicator_id = owed.indicator_id
       AND rep.unit_id = owed.unit_id
       AND rep.period_start = owed.period_start
    ORDER BY owed.period_start, owed.task_id, owed.indicator_id, owed.unit_id
"""
# Both scopes are fixed texts of this module; values travel as bound parameters.
PLAN_OBLIGATIONS = text(_OBLIGATIONS.format(scope="p.id = :plan_id"))
UNIT_OBLIGATIONS = text(_OBLIGATIONS.format(scope="r.unit_id = :unit_id"))
TASK_OBLIGATIONS = text(_OBLIGATIONS.format(scope="i.task_id = :task_id"))


class Obligation(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_id": 7,
                    "task_id": 20,
                    "indicator_id": 12,
                    "period": "2024Q2",
                    "due_on": "2024-07-10",
                    "status": "overdue",
                    "report_id": None,
                }
            ]
        }
    )

    unit_id: int
    task_id: int
    indicator_id: int
    period: str
    due_on: date = Field(description="The period's last day plus the plan's grace days.")
    status: ObligationStatus
    report_id: int | None


class ObligationList(BaseModel):
    items: list[Obligation]


def _period_end(start: date, frequency: str) -> date:
    month = start.month + _MONTHS[frequency]
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1) - timedelta(days=1)


def _status(report_status: str | None, period_end: date, due_on: date, as_of: date) -> str:
    if report_status in ("submitted", "approved", "returned"):
        return report_status
    # No report yet (a draft does not count as reported).
    if as_of <= period_end:
        return "upcoming"
    return "due" if as_of <= due_on else "overdue"


def _obligation(row: Any, as_of: date) -> Obligation:
    period_end = _period_end(row.period_start, row.frequency)
    due_on = period_end + timedelta(days=row.report_grace_days)
    kind = _KIND_OF_FREQUENCY[row.frequency]
    months = _MONTHS[row.frequency]
    period = Period(row.period_start.year, kind, (row.period_start.month - 1) // months + 1)
    return Obligation(
        unit_id=row.unit_id,
        task_id=row.task_id,
        indicator_id=row.indicator_id,
        period=str(period),
        due_on=due_on,
        status=_status(row.report_status, period_end, due_on, as_of),
        report_id=row.report_id if row.report_status != "draft" else None,
    )


async def plan_obligations(
    session: AsyncSession, *, plan_id: int, as_of: date, status: str | None
) -> list[Obligation]:
    rows = await session.execute(PLAN_OBLIGATIONS, {"plan_id": plan_id})
    items = [_obligation(row, as_of) for row in rows]
    return [o for o in items if status is None or o.status == status]


async def unit_obligations(
    session: AsyncSession, *, unit_id: int, as_of: date, status: str | None
) -> list[Obligation]:
    rows = await session.execute(UNIT_OBLIGATIONS, {"unit_id": unit_id})
    items = [_obligation(row, as_of) for row in rows]
    return [o for o in items if status is None or o.status == status]


async def task_obligations(session: AsyncSession, *, task_id: int, as_of: date) -> list[Obligation]:
    rows = await session.execute(TASK_OBLIGATIONS, {"task_id": task_id})
    return [_obligation(row, as_of) for row in rows]
