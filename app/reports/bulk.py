"""The indicator reports' bulk spec: a report by indicator, unit and period."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from app.bulk.spec import (
    Check,
    Column,
    Field,
    FieldError,
    Spec,
    amount,
    as_text,
    choice,
    code,
    not_found,
    text,
)
from app.plans.bulk import PLAN_FIELD
from app.reports.periods import MAX_LENGTH, InvalidPeriod, Period, parse_period


@lru_cache(maxsize=4096)
def _period_of(text: str) -> Period:
    try:
        return parse_period(text)
    except InvalidPeriod as exc:
        raise FieldError("invalid_period", str(exc)) from None


def period(value: Any) -> Period:
    """A period cell, read as the API reads one (spaces around it stripped, then at most
    MAX_LENGTH characters) with parse_period's own message when it is not a period."""
    written = as_text(value).strip()
    if len(written) > MAX_LENGTH:  # never a period: not worth a cache entry
        return _period_of.__wrapped__(written)
    return _period_of(written)


def _staged_period(period: Period) -> tuple[str, date, date, str]:
    """A period as staged: its normal spelling, its first and last day, its frequency."""
    return str(period), period.starts_on, period.ends_on, period.frequency


SPEC = Spec(
    resource="indicator-reports",
    table="indicator_reports",
    entity_type="indicator_report",
    fields=(
        PLAN_FIELD,
        Field("indicator", code, "text", key=True, description="Indicator code, in the plan."),
        Field("unit", code, "text", key=True, description="Unit code."),
        Field(
            "period",
            period,
            "text",
            key=True,
            description="2024, 2024H1, 2024Q2, 2024-05.",
            derived=(
                ("period_start", "date"),
                ("period_end", "date"),
                ("period_frequency", "text"),
            ),
            split=_staged_period,
        ),
        Field("value", amount, "numeric(20, 4)"),
        Field("note", text(4000), "text"),
        Field("status", choice(("draft", "submitted")), "text"),
    ),
    key=("indicator_id", "unit_id", "period", "period_start", "period_end"),
    columns=(
        Column("value", "value"),
        Column("note", "note", default="''"),
        Column("status", "status", default="'submitted'"),
    ),
    # rs: the tasks each unit of the upload leads or takes part in, itself or through a group
    # it belongs to (the rule of app.auth.scope.unit_responsible_for), walked once per unit.
    source="""bulk_stage s
        LEFT JOIN plans p ON p.code = s.plan
        LEFT JOIN indicators i ON i.plan_id = p.id AND i.code = s.indicator
        LEFT JOIN units u ON u.code = s.unit
        LEFT JOIN indicator_reports t
            ON t.indicator_id = i.id AND t.unit_id = u.id AND t.period = s.period
        LEFT JOIN (
            WITH RECURSIVE up(unit_id, id) AS (
                SELECT DISTINCT su.id, su.id FROM bulk_stage ss JOIN units su ON su.code = ss.unit
                UNION
                SELECT up.unit_id, g.parent_id FROM up JOIN units g ON g.id = up.id
                WHERE g.parent_id IS NOT NULL
            )
            SELECT DISTINCT up.unit_id, r.task_id
            FROM up JOIN responsibilities r ON r.unit_id = up.id
        ) rs ON rs.unit_id = u.id AND rs.task_id = i.task_id""",
    resolved=(
        "s.plan",
        "s.indicator",
        "s.unit",
        "p.id AS plan_id",
        "p.year AS plan_year",
        "i.id AS indicator_id",
        "i.frequency AS indicator_frequency",
        "i.task_id AS indicator_task_id",
        "u.id AS unit_id",
        # Responsible for the task, or the indicator's reporter (the unit or its group): the
        # rule of app.auth.scope.unit_may_report.
        "(rs.unit_id IS NOT NULL OR coalesce(i.reporter_unit_id IN (u.id, u.parent_id), false))"
        " AS unit_responsible",
        "s.period",
        "s.period_start",
        "s.period_end",
        "s.period_frequency",
        "s.value",
        "s.note",
        "s.status",
    ),
    checks=(
        not_found("plan", "plan_id IS NULL", "plan with code", "plan"),
        Check(
            "indicator",
            "not_found",
            "plan_id IS NOT NULL AND indicator_id IS NULL",
            "format('plan %s has no indicator %s', plan, indicator)",
        ),
        not_found("unit", "unit_id IS NULL", "unit with code", "unit"),
        Check(
            "period",
            "outside_plan_year",
            "plan_year IS NOT NULL AND extract(year FROM period_start) <> plan_year",
            "format('%s is outside the plan year %s', period, plan_year)",
        ),
        Check(
            "period",
            "wrong_frequency",
            "indicator_frequency IS NOT NULL AND indicator_frequency <> period_frequency",
            "format('the indicator is reported %s; %s is a %s period', "
            "indicator_frequency, period, period_frequency)",
        ),
        Check(
            "unit",
            "not_responsible",
            "target_id IS NULL AND unit_id IS NOT NULL AND indicator_task_id IS NOT NULL "
            "AND NOT unit_responsible",
            "format('unit %s is not responsible for the task of indicator %s', unit, indicator)",
            covered_by_scope=True,
        ),
        Check(
            "value",
            "locked",
            "changed AND old_status = 'approved'",
            "'the report is approved and locked; ask for it to be reopened'",
        ),
    ),
    # A returned report that is corrected goes back to the reviewer; absent a status column.
    final={
        "status": "coalesce(x.status, CASE WHEN x.old_status = 'returned' AND "
        "(coalesce(x.value, x.old_value), coalesce(x.note, x.old_note)) "
        "IS DISTINCT FROM (x.old_value, x.old_note) "
        "THEN 'submitted' END, x.old_status, 'submitted')"
    },
    # Punctuality (the unit scorecard) is judged by when a value was first put forward.
    insert_extra={
        "submitted_by_key_id": "CAST(:actor_key_id AS bigint)",
        "first_submitted_at": "CASE WHEN r.f_status <> 'draft' THEN now() END",
    },
    update_extra={
        "submitted_by_key_id": "CAST(:actor_key_id AS bigint)",
        "first_submitted_at": "coalesce(t.first_submitted_at, "
        "CASE WHEN r.f_status <> 'draft' THEN now() END)",
    },
    reporter_may_upload=True,
    example_csv="plan,indicator,unit,period,value,note\n"
    "HNAST-2024,WP13-1,HNAST-KJG,2024Q2,58.5,二季度接待公众58.5万人次\n",
)
