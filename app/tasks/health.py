"""A task's health at a date: red, amber or green, with the reasons a person can act on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.crud import get_row_or_404
from app.i18n import figure, say
from app.indicators import service as indicator_service
from app.indicators.progress import STATUS_TEXT, TARGET_TEXT
from app.indicators.schemas import IndicatorProgress
from app.milestones.models import Milestone
from app.obligations import service as obligation_service
from app.tasks import texts
from app.tasks.models import Task, TaskRelation
from app.tasks.schemas import TaskHealth

_RANK = {"green": 0, "amber": 1, "red": 2}


async def task_health(
    session: AsyncSession, *, task_id: int, as_of: date, known_at: datetime | None = None
) -> TaskHealth:
    """red: a milestone overdue, an indicator behind, or the task past due and not done;
    amber: an indicator at risk, a report overdue, or progress at 100% but not completed; green
    otherwise. A key task takes the
    worst of its linked work points too, a section the worst of its items."""
    task = await get_row_or_404(session, Task, task_id)
    health = await health_of_tasks(
        session, as_of=as_of, known_at=known_at, plan_id=task.plan_id, only=task_id
    )
    return health[task_id]


async def health_of_tasks(
    session: AsyncSession,
    *,
    as_of: date,
    known_at: datetime | None = None,
    plan_id: int,
    only: int | None = None,
    indicators: list[tuple[Any, IndicatorProgress]] | None = None,
) -> dict[int, TaskHealth]:
    """The health of every task of a plan (or of ``only`` one, reading just what it rolls up
    from), in a fixed number of statements whatever the size.

    ``indicators``: the plan's indicator progress when the caller has it already.
    """
    tree = (
        await session.execute(
            select(
                Task.id, Task.parent_id, Task.kind, Task.number, Task.title, Task.status,
                Task.progress, Task.due_on,
            ).where(Task.plan_id == plan_id)
        )
    ).all()  # fmt: skip
    links: dict[int, list[int]] = {}
    for key, linked in await session.execute(
        select(TaskRelation.task_id, TaskRelation.related_task_id)
        .join(Task, Task.id == TaskRelation.task_id)
        .where(Task.plan_id == plan_id, Task.kind == "key_task")
        .order_by(TaskRelation.task_id, TaskRelation.related_task_id)
    ):
        links.setdefault(key, []).append(linked)
    by_id = {t.id: t for t in tree}
    children: dict[int, list[int]] = {}
    for t in tree:
        if t.parent_id is not None:
            children.setdefault(t.parent_id, []).append(t.id)
    wanted = None if only is None else _rolls_up_from(only, by_id, children, links)
    own = await _own_health(
        session,
        as_of=as_of,
        known_at=known_at,
        plan_id=plan_id,
        tasks=[t for t in tree if wanted is None or t.id in wanted],
        indicators=indicators if wanted is None else None,
    )
    moment = known_at or clock.now()
    result: dict[int, TaskHealth] = {}
    for task_id in own if only is None else [only]:
        task = by_id[task_id]
        status, reasons = own[task_id]
        if task.kind == "key_task":
            for linked in links.get(task_id, []):
                if linked not in own or by_id[linked].kind == "key_task":
                    continue
                linked_status, linked_reasons = own[linked]
                status = max(status, linked_status, key=_RANK.__getitem__)
                reasons = reasons + [_naming(by_id[linked], r) for r in linked_reasons]
        elif task.kind == "section":
            status, reasons = _section(task_id, by_id, children, own)
        result[task_id] = TaskHealth(
            task_id=task_id, as_of=as_of, known_at=moment, status=status, reasons=reasons
        )
    return result


def section_items(section_id: int, by_id: dict, children: dict) -> list[int]:
    """A section's work items: its children, and the items of the sections under it."""
    items: list[int] = []
    stack = list(reversed(children.get(section_id, [])))
    while stack:
        task_id = stack.pop()
        if by_id[task_id].kind == "section":
            stack.extend(reversed(children.get(task_id, [])))
        else:
            items.append(task_id)
    return items


def _rolls_up_from(
    task_id: int,
    by_id: dict,
    children: dict,
    links: dict[int, list[int]],
) -> set[int]:
    """The tasks whose own health one task's health is made of."""
    task = by_id[task_id]
    if task.kind == "section":
        return {task_id, *section_items(task_id, by_id, children)}
    if task.kind == "key_task":
        return {task_id, *links.get(task_id, [])}
    return {task_id}


def _naming(task: Any, reason: str) -> str:
    kind = say(texts.KIND, task.kind)
    return say(texts.REASONS, "linked", kind=kind, number=task.number, title=task.title,
               reason=reason)  # fmt: skip


def _section(
    section_id: int,
    by_id: dict,
    children: dict,
    own: dict[int, tuple[str, list[str]]],
) -> tuple[str, list[str]]:
    """A section is as healthy as its worst item; its reasons count the items and name the
    ones that are not green."""
    items = [i for i in section_items(section_id, by_id, children) if i in own]
    if not items:
        return "green", []
    counts = {h: [i for i in items if own[i][0] == h] for h in ("red", "amber", "green")}
    worst = "red" if counts["red"] else "amber" if counts["amber"] else "green"
    if worst == "green":
        return worst, []
    reasons = [
        say(texts.REASONS, "items", total=len(items),
            **{h: len(ids) for h, ids in counts.items()})
    ]  # fmt: skip
    for h in ("red", "amber"):
        if counts[h]:
            named = "、".join(f"{by_id[i].number}（{by_id[i].title}）" for i in counts[h])
            reasons.append(
                say(texts.REASONS, "items_named", health=say(texts.HEALTH, h), items=named)
            )
    return worst, reasons


async def _own_health(
    session: AsyncSession,
    *,
    as_of: date,
    known_at: datetime | None,
    plan_id: int,
    tasks: list[Any],
    indicators: list[tuple[Any, IndicatorProgress]] | None,
) -> dict[int, tuple[str, list[str]]]:
    """Each task's health from what is its own: due date, milestones, indicators, reports."""
    ids = [t.id for t in tasks]
    red: dict[int, list[str]] = {t.id: [] for t in tasks}
    amber: dict[int, list[str]] = {t.id: [] for t in tasks}
    for t in tasks:
        if t.status not in ("completed", "cancelled") and t.due_on is not None and t.due_on < as_of:
            red[t.id].append(
                say(texts.REASONS, "task_late", due=t.due_on, status=say(texts.STATUS, t.status))
            )
    for t in tasks:
        if t.progress == 100 and t.status != "completed":
            amber[t.id].append(say(texts.REASONS, "full_not_completed"))
    late = await session.execute(
        select(Milestone.task_id, Milestone.id, Milestone.title, Milestone.due_on)
        .where(Milestone.task_id.in_(ids), Milestone.status == "pending", Milestone.due_on < as_of)
        .order_by(Milestone.due_on, Milestone.id)
    )
    for m in late:
        red[m.task_id].append(
            say(texts.REASONS, "milestone_late", id=m.id, title=m.title, due=m.due_on)
        )
    if indicators is None:
        indicators = await indicator_service.progress_of_many(
            session, as_of=as_of, known_at=known_at, task_ids=ids
        )
    for indicator, figures in indicators:
        if figures.status not in ("behind", "at_risk") or indicator.task_id not in red:
            continue
        target = say(
            TARGET_TEXT,
            figures.comparator,
            target=figure(figures.target_value),
            target_max=figure(figures.target_max),
            unit=indicator.unit_label,
        )
        said = say(
            texts.REASONS,
            "indicator",
            code=indicator.code,
            name=indicator.name,
            status=say(STATUS_TEXT, figures.status),
            actual=figure(figures.actual or 0),
            expected=figure(figures.expected),
            target=target,
        )
        (red if figures.status == "behind" else amber)[indicator.task_id].append(said)
    owed = await obligation_service.tasks_obligations(
        session, task_ids=ids, as_of=as_of, known_at=known_at, status="overdue"
    )
    for o in owed:
        amber[o.task_id].append(
            say(
                texts.REASONS,
                "report_overdue",
                unit=o.unit_name,
                code=o.indicator_code,
                name=o.indicator_name,
                period=o.period,
                due=o.due_on,
            )
        )
    return {
        t.id: ("red" if red[t.id] else "amber" if amber[t.id] else "green", red[t.id] + amber[t.id])
        for t in tasks
    }
