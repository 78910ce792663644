"""Plans: one issued notice each."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.crud import (
    Record,
    apply_changes,
    check_if_match,
    ensure_unreferenced,
    fetch_page,
    get_or_404,
    get_row_or_404,
    new_entity,
    read_select,
)
from app.errors import Conflict
from app.indicators.models import Indicator
from app.pagination import PageParams
from app.plans.models import Plan
from app.plans.schemas import PlanCreate, PlanQuery, PlanUpdate
from app.reports.models import IndicatorReport
from app.tasks.models import Task


async def list_plans(
    session: AsyncSession, *, query: PlanQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    stmt = read_select(Plan)
    if query.code is not None:
        stmt = stmt.where(Plan.code == query.code)
    if query.year is not None:
        stmt = stmt.where(Plan.year == query.year)
    if query.status is not None:
        stmt = stmt.where(Plan.status == query.status)
    return await fetch_page(session, stmt, Plan, page)


async def get_plan(session: AsyncSession, *, plan_id: int) -> Record:
    return await get_row_or_404(session, Plan, plan_id)


async def _ensure_code_free(session: AsyncSession, code: str, *, other_than: int | None) -> None:
    stmt = select(Plan.id).where(Plan.code == code)
    if other_than is not None:
        stmt = stmt.where(Plan.id != other_than)
    if (await session.execute(stmt)).first() is not None:
        raise Conflict(f"a plan with code {code!r} already exists")


async def create_plan(session: AsyncSession, *, data: PlanCreate) -> Plan:
    await _ensure_code_free(session, data.code, other_than=None)
    plan = new_entity(Plan, data.model_dump())
    session.add(plan)
    await session.flush()
    return plan


async def update_plan(
    session: AsyncSession, *, plan_id: int, data: PlanUpdate, if_match: str | None
) -> Plan:
    plan = await get_or_404(session, Plan, plan_id, for_update=True)
    check_if_match(if_match, plan)
    changes = data.model_dump(exclude_unset=True)
    if "code" in changes:
        await _ensure_code_free(session, changes["code"], other_than=plan_id)
    if changes.get("year", plan.year) != plan.year:
        reports = await session.scalar(
            select(func.count())
            .select_from(IndicatorReport)
            .join(Indicator, Indicator.id == IndicatorReport.indicator_id)
            .where(Indicator.plan_id == plan_id)
        )
        if reports:
            raise Conflict(
                f"plan {plan_id} has {reports} reports for periods of {plan.year}; its year "
                "cannot change while they exist"
            )
    apply_changes(plan, changes)
    await session.flush()
    return plan


async def delete_plan(session: AsyncSession, *, plan_id: int, if_match: str | None) -> None:
    plan = await get_or_404(session, Plan, plan_id, for_update=True)
    check_if_match(if_match, plan)
    await ensure_unreferenced(
        session,
        what=f"plan {plan_id}",
        references={"tasks": Task.plan_id == plan_id, "indicators": Indicator.plan_id == plan_id},
    )
    await session.delete(plan)
    await session.flush()
