"""The plan dashboard, the unit scorecard and the ledger's rows.

Every figure is computed set-wise for the whole plan (progress of all indicators, health of all
tasks, obligations counted in SQL): a fixed number of statements however many tasks, units and
reports there are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.indicators import service as indicator_service
from app.indicators.models import Indicator
from app.milestones.models import Milestone
from app.obligations import service as obligation_service
from app.obligations.service import PLAN_SCOPE, UNIT_SCOPE
from app.overview import ledger
from app.overview.schemas import (
    HealthCounts,
    IndicatorStatusCounts,
    IndicatorSummary,
    ObligationStatusCounts,
    ObligationSummary,
    OverdueMilestone,
    OverdueReport,
    PlanDashboard,
    ReportingRecord,
    ScorecardTask,
    SectionLine,
    TaskHealthLine,
    TaskStatusCounts,
    TaskSummary,
    UnitOverdue,
    UnitScorecard,
    UnownedIndicator,
)
from app.plans import service as plan_service
from app.reminders import service as reminder_service
from app.responsibilities.models import Responsibility
from app.tasks.health import health_of_tasks, section_items
from app.tasks.models import ProgressUpdate, Task
from app.tasks.schemas import TaskHealth
from app.units import service as unit_service
from app.units.models import Unit

_PLAN_OBLIGATION_COUNTS = obligation_service.statements(
    PLAN_SCOPE,
    """
    SELECT settled.status, settled.unit_id, u.name AS unit_name, count(*) AS n
    FROM settled JOIN units u ON u.id = settled.unit_id
    GROUP BY settled.status, settled.unit_id, u.name
    """,
)
# Obligations not yet past their due date are not counted either way; punctuality is the
# obligations' own `on_time`, so the scorecard and the unit's obligations always agree.
_UNIT_REPORTING = obligation_service.statements(
    UNIT_SCOPE,
    """
    SELECT
        count(*) AS owed,
        count(*) FILTER (WHERE on_time) AS on_time,
        count(*) FILTER (WHERE NOT on_time) AS late,
        count(*) FILTER (WHERE on_time IS NULL) AS missing
    FROM settled
    WHERE due_on < CAST(:as_of AS date)
    """,
)


def _line(task: Any, health: TaskHealth) -> TaskHealthLine:
    return TaskHealthLine(
        task_id=task.id,
        kind=task.kind,
        number=task.number,
        title=task.title,
        status=task.status,
        due_on=task.due_on,
        health=health.status,
        reasons=health.reasons,
    )


def _late_milestones(as_of: date) -> Any:
    return (
        select(Milestone.id, Milestone.task_id, Task.number, Milestone.title, Milestone.due_on)
        .join(Task, Task.id == Milestone.task_id)
        .where(Milestone.status == "pending", Milestone.due_on < as_of)
        .order_by(Milestone.due_on, Milestone.id)
    )


def _overdue_milestone(row: Any) -> OverdueMilestone:
    return OverdueMilestone(
        milestone_id=row.id,
        task_id=row.task_id,
        task_number=row.number,
        title=row.title,
        due_on=row.due_on,
    )


async def _plan_tasks(session: AsyncSession, plan_id: int) -> list[Any]:
    """The plan's tasks in reading order: key tasks, then each section followed by its items."""
    rows = (
        await session.execute(
            select(
                Task.id,
                Task.parent_id,
                Task.kind,
                Task.number,
                Task.title,
                Task.status,
                Task.due_on,
            )
            .where(Task.plan_id == plan_id)
            .order_by(Task.id)
        )
    ).all()
    children: dict[int | None, list[Any]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)
    ordered: list[Any] = []
    # Depth first, each task before its subtasks; a stack, not recursion: no depth limit.
    stack = sorted(children[None], key=lambda r: (r.kind != "key_task", r.id), reverse=True)
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row.id, [])))
    return ordered


async def plan_dashboard(
    session: AsyncSession, *, plan_id: int, as_of: date, known_at: datetime | None = None
) -> PlanDashboard:
    await plan_service.get_plan(session, plan_id=plan_id)  # 404 for an unknown plan
    tasks = await _plan_tasks(session, plan_id)
    progress = await indicator_service.progress_of_many(
        session, as_of=as_of, known_at=known_at, plan_id=plan_id
    )
    health = await health_of_tasks(
        session, as_of=as_of, known_at=known_at, plan_id=plan_id, indicators=progress
    )
    work = [t for t in tasks if t.kind != "section"]
    late = await session.execute(_late_milestones(as_of).where(Task.plan_id == plan_id))
    counts = (
        await session.execute(
            _PLAN_OBLIGATION_COUNTS[known_at is not None],
            {**obligation_service.params(as_of=as_of, known_at=known_at), "scope_id": plan_id},
        )
    ).all()
    by_status: Counter[str] = Counter()
    overdue: list[UnitOverdue] = []
    for row in counts:
        by_status[row.status] += row.n
        if row.status == "overdue":
            overdue.append(UnitOverdue(unit_id=row.unit_id, unit_name=row.unit_name, overdue=row.n))
    overdue.sort(key=lambda u: (-u.overdue, u.unit_id))
    lead = select(Responsibility.id).where(
        Responsibility.task_id == Indicator.task_id, Responsibility.role == "lead"
    )
    unowned = await session.execute(
        select(Indicator.id, Indicator.code, Indicator.name, Indicator.task_id, Task.number)
        .join(Task, Task.id == Indicator.task_id)
        .where(
            Indicator.plan_id == plan_id,
            Indicator.reporter_unit_id.is_(None),
            ~lead.exists(),
        )
        .order_by(Indicator.id)
    )
    return PlanDashboard(
        plan_id=plan_id,
        as_of=as_of,
        known_at=known_at or clock.now(),
        tasks=TaskSummary(
            total=len(work),
            by_status=TaskStatusCounts.model_validate(Counter(t.status for t in work)),
            by_health=HealthCounts.model_validate(Counter(health[t.id].status for t in work)),
        ),
        indicators=IndicatorSummary(
            total=len(progress),
            by_status=IndicatorStatusCounts.model_validate(Counter(p.status for _, p in progress)),
        ),
        overdue_milestones=[_overdue_milestone(row) for row in late],
        obligations=ObligationSummary(
            by_status=ObligationStatusCounts.model_validate(by_status), overdue_by_unit=overdue
        ),
        key_tasks=[_line(t, health[t.id]) for t in tasks if t.kind == "key_task"],
        unowned_indicators=[
            UnownedIndicator(
                indicator_id=row.id,
                code=row.code,
                name=row.name,
                task_id=row.task_id,
                task_number=row.number,
            )
            for row in unowned
        ],
        sections=[_section_line(t, tasks, health) for t in tasks if t.kind == "section"],
    )


def _section_line(section: Any, tasks: list[Any], health: dict[int, TaskHealth]) -> SectionLine:
    items = section_items(section.id, {t.id: t for t in tasks}, _children(tasks))
    return SectionLine(
        task_id=section.id,
        number=section.number,
        title=section.title,
        health=health[section.id].status,
        items=HealthCounts.model_validate(Counter(health[i].status for i in items)),
    )


def _children(tasks: list[Any]) -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for t in tasks:
        if t.parent_id is not None:
            children[t.parent_id].append(t.id)
    return children


async def unit_scorecard(
    session: AsyncSession, *, unit_id: int, as_of: date, known_at: datetime | None = None
) -> UnitScorecard:
    await unit_service.get_unit(session, unit_id=unit_id)  # 404 for an unknown unit
    held = (
        await session.execute(
            select(
                Task.id,
                Task.plan_id,
                Task.kind,
                Task.number,
                Task.title,
                Task.status,
                Task.due_on,
                Responsibility.role,
                Responsibility.unit_id.label("holder_id"),
            )
            .join(Responsibility, Responsibility.task_id == Task.id)
            .where(Responsibility.unit_id.in_(unit_service.self_and_ancestors(unit_id)))
            .order_by(Task.plan_id, Task.id, Responsibility.unit_id != unit_id)
        )
    ).all()
    health: dict[int, TaskHealth] = {}
    for plan_id in sorted({row.plan_id for row in held}):
        health |= await health_of_tasks(session, as_of=as_of, known_at=known_at, plan_id=plan_id)
    led: list[ScorecardTask] = []
    joined: list[ScorecardTask] = []
    seen: set[int] = set()
    for row in held:
        if row.id in seen:  # held directly and through a group: the direct part is what counts
            continue
        seen.add(row.id)
        direct = row.holder_id == unit_id
        role = row.role if direct else "participant"
        line = _line(row, health[row.id])
        item = ScorecardTask(
            **line.model_dump(),
            plan_id=row.plan_id,
            role=role,
            via_unit_id=None if direct else row.holder_id,
        )
        (led if role == "lead" else joined).append(item)
    params = {**obligation_service.params(as_of=as_of, known_at=known_at), "scope_id": unit_id}
    record = (await session.execute(_UNIT_REPORTING[known_at is not None], params)).one()
    owed_now = await obligation_service.unit_obligations(
        session, unit_id=unit_id, as_of=as_of, known_at=known_at, status="overdue"
    )
    led_ids = [t.task_id for t in led]
    late = await session.execute(_late_milestones(as_of).where(Task.id.in_(led_ids)))
    return UnitScorecard(
        unit_id=unit_id,
        as_of=as_of,
        known_at=known_at or clock.now(),
        led=led,
        joined=joined,
        reporting=ReportingRecord(
            owed=record.owed,
            on_time=record.on_time,
            late=record.late,
            missing=record.missing,
            on_time_rate=round(record.on_time / record.owed, 4) if record.owed else None,
        ),
        overdue_reports=[
            OverdueReport(
                task_id=o.task_id, indicator_id=o.indicator_id, period=o.period, due_on=o.due_on
            )
            for o in owed_now
        ],
        overdue_milestones=[_overdue_milestone(row) for row in late],
        reminders=await reminder_service.unit_record(
            session, unit_id=unit_id, as_of=as_of, known_at=known_at
        ),
    )


async def ledger_rows(
    session: AsyncSession, *, plan_id: int, as_of: date, known_at: datetime | None = None
) -> tuple[Any, list[ledger.LedgerRow]]:
    """The plan and one ledger row per task, in reading order."""
    plan = await plan_service.get_plan(session, plan_id=plan_id)
    tasks = await _plan_tasks(session, plan_id)
    progress = await indicator_service.progress_of_many(
        session, as_of=as_of, known_at=known_at, plan_id=plan_id
    )
    health = await health_of_tasks(
        session, as_of=as_of, known_at=known_at, plan_id=plan_id, indicators=progress
    )
    # Joined into one list per task and role in SQL: a task may name a thousand units.
    units: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"lead": [], "participant": []})
    for row in await session.execute(
        select(
            Responsibility.task_id,
            Responsibility.role,
            func.array_agg(aggregate_order_by(Unit.name, Responsibility.id)).label("names"),
        )
        .join(Unit, Unit.id == Responsibility.unit_id)
        .join(Task, Task.id == Responsibility.task_id)
        .where(Task.plan_id == plan_id)
        .group_by(Responsibility.task_id, Responsibility.role)
    ):
        units[row.task_id][row.role] = list(row.names)
    indicators: dict[int, list[ledger.LedgerIndicator]] = defaultdict(list)
    for row, figures in progress:
        indicators[row.task_id].append(
            ledger.LedgerIndicator(
                name=row.name,
                comparator=row.comparator,
                target=figures.target_value,
                target_max=figures.target_max,
                unit_label=row.unit_label,
                actual=figures.actual,
                status=figures.status,
            )
        )
    # Each task's latest narrative for a period begun by `as_of`, among those written by
    # `known_at`: the rule the reports follow.
    counted = [Task.plan_id == plan_id, ProgressUpdate.period_start <= as_of]
    if known_at is not None:
        counted.append(ProgressUpdate.created_at <= known_at)
    latest = (
        select(ProgressUpdate.task_id, ProgressUpdate.period, ProgressUpdate.done)
        .join(Task, Task.id == ProgressUpdate.task_id)
        .where(*counted)
        .ext(distinct_on(ProgressUpdate.task_id))
        .order_by(
            ProgressUpdate.task_id, ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc()
        )
    )
    notes = {row.task_id: f"[{row.period}] {row.done}" for row in await session.execute(latest)}
    rows = [
        ledger.LedgerRow(
            kind=t.kind,
            number=t.number,
            title=t.title,
            leads=units[t.id]["lead"],
            participants=units[t.id]["participant"],
            due_on=t.due_on,
            status=t.status,
            health=health[t.id].status,
            reasons=health[t.id].reasons,
            indicators=indicators[t.id],
            latest_progress=notes.get(t.id, ""),
        )
        for t in tasks
    ]
    return plan, rows
