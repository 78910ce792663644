"""Plans: one issued notice each."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

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
    return await list_page(
        session, Plan, page, *equal_filters(Plan, query, "code", "year", "status")
    )


async def get_plan(session: AsyncSession, *, plan_id: int) -> Record:
    return await get_row_or_404(session, Plan, plan_id)


async def create_plan(session: AsyncSession, *, data: PlanCreate) -> Plan:
    await ensure_code_free(session, Plan, data.code, other_than=None)
    return await add_entity(session, Plan, data.model_dump())


async def update_plan(
    session: AsyncSession, *, plan_id: int, data: PlanUpdate, if_match: str | None
) -> Plan:
    plan = await get_for_change(session, Plan, plan_id, if_match=if_match)
    changes = data.model_dump(exclude_unset=True)
    if "code" in changes:
        await ensure_code_free(session, Plan, changes["code"], other_than=plan_id)
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
    return await change_entity(session, plan, changes)


async def delete_plan(session: AsyncSession, *, plan_id: int, if_match: str | None) -> None:
    plan = await get_for_change(session, Plan, plan_id, if_match=if_match)
    await ensure_unreferenced(
        session,
        what=f"plan {plan_id}",
        references={"tasks": Task.plan_id == plan_id, "indicators": Indicator.plan_id == plan_id},
    )
    await delete_entity(session, plan)
