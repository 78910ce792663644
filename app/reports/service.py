"""Indicator reports: a unit's value for an indicator and a period."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit_service
from app.audit.models import AuditEvent
from app.auth.scope import get_in_scope, reporter_unit, unit_may_report
from app.auth.service import Principal
from app.crud import (
    Record,
    add_entity,
    change_entity,
    check_if_match,
    delete_entity,
    equal_filters,
    get_for_change,
    get_or_404,
    get_row_or_404,
    list_page,
)
from app.errors import Conflict, Forbidden, InvalidInput
from app.indicators.models import Indicator
from app.pagination import PageParams
from app.plans.models import Plan
from app.reports.models import IndicatorReport
from app.reports.periods import parse_period
from app.reports.schemas import ReportCreate, ReportQuery, ReportUpdate
from app.units.models import Unit

# Numeric(20, 4) rounds what it stores; read it back so responses show the stored value.


class NotResponsible(InvalidInput):
    """The report's unit has no part in the indicator's task: its value would count for nothing
    it answers for."""

    code = "not_responsible"


def _period_error(detail: str) -> InvalidInput:
    return InvalidInput(f"period: {detail}", errors=[{"pointer": "#/period", "detail": detail}])


async def list_reports(
    session: AsyncSession, *, query: ReportQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    filters = equal_filters(IndicatorReport, query, "indicator_id", "unit_id", "period", "status")
    if query.plan_id is not None:
        filters.append(
            IndicatorReport.indicator_id.in_(
                select(Indicator.id).where(Indicator.plan_id == query.plan_id)
            )
        )
    return await list_page(session, IndicatorReport, page, *filters)


async def get_report(session: AsyncSession, *, report_id: int) -> Record:
    return await get_row_or_404(session, IndicatorReport, report_id)


def _report_scope(unit: int | None) -> ColumnElement[bool] | None:
    """A reporter's own unit's reports, on indicators of tasks its unit is responsible for."""
    if unit is None:
        return None
    return and_(
        IndicatorReport.unit_id == unit,
        exists().where(
            Indicator.id == IndicatorReport.indicator_id,
            unit_may_report(unit, Indicator.task_id, Indicator.reporter_unit_id),
        ),
    )


async def create_report(
    session: AsyncSession, *, data: ReportCreate, actor: Principal
) -> IndicatorReport:
    unit = reporter_unit(actor)
    if unit is not None and data.unit_id != unit:
        raise Forbidden(f"a reporter of unit {unit} may not report for unit {data.unit_id}")
    # Whoever writes it, a unit's value counts toward the target only if the unit has a part
    # in the indicator's task or reports it by designation; for a reporter this is its own
    # scope (the unit is its own).
    responsible = unit_may_report(data.unit_id, Indicator.task_id, Indicator.reporter_unit_id)
    # One round trip for every check below; they are still judged in this order.
    existing_report = (
        select(IndicatorReport.id)
        .where(
            IndicatorReport.indicator_id == data.indicator_id,
            IndicatorReport.unit_id == data.unit_id,
            IndicatorReport.period == data.period,
        )
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(
                Indicator.frequency,
                Plan.year,
                responsible.label("responsible"),
                exists().where(Unit.id == data.unit_id).label("unit_exists"),
                existing_report.label("existing"),
            )
            .join(Plan, Plan.id == Indicator.plan_id)
            .where(Indicator.id == data.indicator_id)
        )
    ).one_or_none()
    if row is None:
        raise InvalidInput(
            f"indicator_id: indicator {data.indicator_id} does not exist",
            errors=[{"pointer": "#/indicator_id", "detail": "does not exist"}],
        )
    if unit is not None and not row.responsible:
        raise Forbidden(
            f"indicator {data.indicator_id} belongs to a task your unit is not responsible for"
        )
    period = parse_period(data.period)
    if period.year != row.year:
        raise _period_error(f"{period} is outside the plan year {row.year}")
    if period.frequency != row.frequency:
        raise _period_error(
            f"the indicator is reported {row.frequency}; {period} is a {period.frequency} period"
        )
    if not row.unit_exists:
        raise InvalidInput(
            f"unit_id: unit {data.unit_id} does not exist",
            errors=[{"pointer": "#/unit_id", "detail": "does not exist"}],
        )
    if not row.responsible:
        raise NotResponsible(
            f"unit_id: unit {data.unit_id} is not responsible for the task of indicator "
            f"{data.indicator_id} and does not report it; add the unit's responsibility or "
            "make it the indicator's reporter first",
            errors=[{"pointer": "#/unit_id", "detail": "not responsible for the indicator's task"}],
        )
    if row.existing is not None:
        raise Conflict(
            f"unit {data.unit_id} already reported indicator {data.indicator_id} for "
            f"{data.period} (report {row.existing}); change that report instead"
        )
    return await add_entity(
        session,
        IndicatorReport,
        {
            **data.model_dump(),
            "period_start": period.starts_on,
            "period_end": period.ends_on,
            "submitted_by_key_id": actor.key_id,
            "first_submitted_at": None if data.status == "draft" else datetime.now(UTC),
        },
    )


async def _get_for_change(
    session: AsyncSession, report_id: int, *, if_match: str | None, actor: Principal
) -> IndicatorReport:
    """A report the caller may see, locked, as If-Match names it, and not yet approved."""
    report = await get_in_scope(
        session,
        IndicatorReport,
        report_id,
        scope=_report_scope(reporter_unit(actor)),
        for_update=True,
    )
    check_if_match(if_match, report)
    if report.status == "approved":
        raise Conflict(f"report {report_id} is approved and locked; ask for it to be reopened")
    return report


async def update_report(
    session: AsyncSession,
    *,
    report_id: int,
    data: ReportUpdate,
    if_match: str | None,
    actor: Principal,
) -> IndicatorReport:
    report = await _get_for_change(session, report_id, if_match=if_match, actor=actor)
    changes = data.model_dump(exclude_unset=True)
    if report.status == "returned" and changes:
        changes.setdefault("status", "submitted")  # corrected: back to the reviewer
    if changes:
        changes["submitted_by_key_id"] = actor.key_id
    if changes.get("status") == "submitted" and report.first_submitted_at is None:
        changes["first_submitted_at"] = datetime.now(UTC)
    return await change_entity(session, report, changes)


async def delete_report(
    session: AsyncSession, *, report_id: int, if_match: str | None, actor: Principal
) -> None:
    report = await _get_for_change(session, report_id, if_match=if_match, actor=actor)
    await delete_entity(session, report)


# decision → (statuses it applies to, status it leads to)
TRANSITIONS = {
    "approve": ({"submitted"}, "approved"),
    "return": ({"submitted"}, "returned"),
    "reopen": ({"approved"}, "submitted"),
}


async def review_report(
    session: AsyncSession,
    *,
    report_id: int,
    decision: str,
    comment: str,
    if_match: str | None,
    actor: Principal,
) -> IndicatorReport:
    """The office's decision on a report; approving locks it until it is reopened."""
    report = await get_for_change(session, IndicatorReport, report_id, if_match=if_match)
    allowed, target = TRANSITIONS[decision]
    if report.status not in allowed:
        raise Conflict(
            f"report {report_id} is {report.status}; `{decision}` applies only to "
            f"{' or '.join(sorted(allowed))} reports"
        )
    if decision == "approve" and report.submitted_by_key_id == actor.key_id:
        raise Forbidden("you submitted this value; another reviewer must approve it")
    audit_service.name_action(session, report, decision)  # the history says what was decided
    return await change_entity(
        session,
        report,
        {"status": target, "review_comment": comment, "reviewed_at": datetime.now(UTC)},
    )


async def report_history(session: AsyncSession, *, report_id: int) -> list[AuditEvent]:
    """Every change of the report, oldest first: who, when, old and new values, comments."""
    await get_or_404(session, IndicatorReport, report_id)
    rows = await session.execute(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "indicator_report", AuditEvent.entity_id == report_id)
        .order_by(AuditEvent.id)
    )
    return list(rows.scalars())
