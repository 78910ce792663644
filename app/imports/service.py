"""Notice imports: a parsed notice becomes a plan with its tasks, units, targets and dates.

Parsing is pure (``app.imports.parser``); this module matches units, stores everything in the
request's transaction, and keeps the source text and warnings as an import record.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.crud import Record, fetch_page, get_row_or_404, read_select
from app.errors import AppError, Conflict
from app.imports.models import PlanImport
from app.imports.parser import NoticeParseError, ParsedPlan, ParsedTask, parse_notice
from app.imports.schemas import (
    ImportPreview,
    ImportSummary,
    ParsedIndicatorOut,
    ParsedMilestoneOut,
    ParsedTaskOut,
    ParsedUnitOut,
    PlanImportQuery,
)
from app.indicators.models import Indicator
from app.milestones.models import Milestone
from app.pagination import PageParams
from app.plans.models import Plan
from app.responsibilities.models import Responsibility
from app.tasks.models import Task, TaskRelation
from app.units.models import Unit

# Parents before children: a task's parent must have its id before the child is inserted.
_KIND_ORDER = {"section": 0, "subtask": 1, "key_task": 2, "work_point": 2}


class NoticeNotUnderstood(AppError):
    status, code, title = 422, "notice_not_understood", "The notice could not be understood"


def parse(text: str) -> ParsedPlan:
    """Parse or raise a 422 problem that lists what could not be understood."""
    try:
        return parse_notice(text)
    except NoticeParseError as exc:
        raise NoticeNotUnderstood(
            "; ".join(exc.problems) or "the text is not a work-plan notice",
            errors=[{"detail": problem} for problem in exc.problems],
        ) from exc


async def _ensure_not_imported(session: AsyncSession, parsed: ParsedPlan) -> None:
    same_title = (Plan.title == parsed.title) & (Plan.year == parsed.year)
    condition = (
        same_title
        if parsed.doc_number is None
        else or_(Plan.doc_number == parsed.doc_number, same_title)
    )
    existing = (await session.execute(select(Plan.id, Plan.code).where(condition))).first()
    if existing is not None:
        raise Conflict(
            f"this notice is already imported as plan {existing.id} ({existing.code}); "
            "change that plan instead of importing it again"
        )


async def _existing_units(session: AsyncSession, names: set[str]) -> dict[str, int]:
    rows = await session.execute(
        select(Unit.id, Unit.name).where(Unit.name.in_(names)).order_by(Unit.id)
    )
    found: dict[str, int] = {}
    for unit_id, name in rows:
        found.setdefault(name, unit_id)  # the oldest unit of that name wins
    return found


def _unit_names(parsed: ParsedPlan) -> set[str]:
    return {unit.name for task in parsed.tasks for unit in task.units}


def _summary(parsed: ParsedPlan, matched: int, created: int) -> ImportSummary:
    kinds = Counter(task.kind for task in parsed.tasks)
    return ImportSummary(
        sections=kinds["section"],
        key_tasks=kinds["key_task"],
        work_points=kinds["work_point"],
        subtasks=kinds["subtask"],
        units_matched=matched,
        units_created=created,
        responsibilities=sum(len({u.name for u in t.units}) for t in parsed.tasks),
        indicators=sum(len(t.indicators) for t in parsed.tasks),
        milestones=sum(len(t.milestones) for t in parsed.tasks),
        related_links=sum(len(t.related_codes) for t in parsed.tasks if t.kind == "key_task"),
    )


async def preview_notice(session: AsyncSession, *, text: str) -> ImportPreview:
    """Everything the import would create, with units matched; nothing is stored."""
    parsed = parse(text)
    await _ensure_not_imported(session, parsed)
    names = _unit_names(parsed)
    existing = await _existing_units(session, names)
    return ImportPreview(
        title=parsed.title,
        year=parsed.year,
        doc_number=parsed.doc_number,
        issuer=parsed.issuer,
        issued_on=parsed.issued_on,
        summary=_summary(parsed, len(existing), len(names) - len(existing)),
        warnings=list(parsed.warnings),
        tasks=[_task_out(task, existing) for task in parsed.tasks],
    )


def _task_out(task: ParsedTask, existing: dict[str, int]) -> ParsedTaskOut:
    return ParsedTaskOut(
        code=task.code,
        kind=task.kind,
        number=task.number,
        title=task.title,
        description=task.description,
        parent_number=task.parent_number,
        due_on=task.due_on,
        related_codes=list(task.related_codes),
        units=[
            ParsedUnitOut(name=u.name, kind=u.kind, role=u.role, unit_id=existing.get(u.name))
            for u in task.units
        ],
        indicators=[
            ParsedIndicatorOut(
                code=i.code,
                name=i.name,
                comparator=i.comparator,
                target_value=float(i.target_value),
                target_max=None if i.target_max is None else float(i.target_max),
                unit_label=i.unit_label,
                source_text=i.source_text,
            )
            for i in task.indicators
        ],
        milestones=[
            ParsedMilestoneOut(title=m.title, due_on=m.due_on, source_text=m.source_text)
            for m in task.milestones
        ],
    )


def _slug(text: str, limit: int = 48) -> str:
    return re.sub(r"[^\w]+", "-", text).strip("-")[:limit] or "x"


async def _plan_code(session: AsyncSession, parsed: ParsedPlan) -> str:
    base = _slug(parsed.doc_number) if parsed.doc_number else f"PLAN-{parsed.year}"
    base = base.removesuffix("号")
    code, n = base, 1
    while await session.scalar(select(Plan.id).where(Plan.code == code)) is not None:
        n += 1
        code = f"{base}-{n}"
    return code


async def _resolve_units(session: AsyncSession, parsed: ParsedPlan) -> tuple[dict[str, int], int]:
    """Ids of every responsible unit: existing ones by name, the rest created (kind inferred)."""
    names = _unit_names(parsed)
    ids = await _existing_units(session, names)
    kinds = {unit.name: unit.kind for task in parsed.tasks for unit in task.units}
    missing = sorted(names - ids.keys())
    if missing:
        rows = await session.execute(
            insert(Unit).returning(Unit.id, Unit.name),
            [
                {
                    "code": "auto-" + hashlib.sha1(name.encode()).hexdigest()[:12],  # noqa: S324
                    "name": name,
                    "kind": kinds[name],
                    "is_inferred": True,
                }
                for name in missing
            ],
        )
        ids.update({name: unit_id for unit_id, name in rows})
    return ids, len(missing)


def _numbers(tasks: tuple[ParsedTask, ...]) -> dict[str, str]:
    """Printed numbers, except where one repeats within a kind (numbering restarting per
    section, or （一） in every section): there the parser's unique code stands in."""
    seen = Counter((task.kind, task.number) for task in tasks)
    return {
        task.code: task.number if seen[(task.kind, task.number)] == 1 else task.code[:16]
        for task in tasks
    }


async def store_notice(session: AsyncSession, *, text: str, filename: str | None) -> PlanImport:
    """Create the plan and everything in it; one transaction, nothing half-written."""
    parsed = parse(text)
    await _ensure_not_imported(session, parsed)
    plan = Plan(
        code=await _plan_code(session, parsed),
        title=parsed.title[:500],
        year=parsed.year,
        doc_number=parsed.doc_number,
        issuer=parsed.issuer,
        issued_on=parsed.issued_on,
        status="active",
    )
    session.add(plan)
    await session.flush()

    unit_ids, created = await _resolve_units(session, parsed)
    numbers = _numbers(parsed.tasks)
    task_ids: dict[str, int] = {}
    by_number: dict[tuple[str, str | None], str] = {}
    for task in sorted(parsed.tasks, key=lambda t: _KIND_ORDER.get(t.kind, 3)):
        parent_code = None
        if task.kind == "subtask" or (task.parent_number and not task.subsection):
            parent_code = by_number.get(("section", task.parent_number))
        elif task.subsection:
            parent_code = by_number.get(("subtask", f"{task.parent_number}/{task.subsection}"))
        task_ids[task.code] = (
            await session.execute(
                insert(Task)
                .values(
                    plan_id=plan.id,
                    parent_id=task_ids.get(parent_code) if parent_code else None,
                    kind=task.kind,
                    number=numbers[task.code],
                    title=task.title[:500],
                    description=task.description,
                    due_on=task.due_on,
                )
                .returning(Task.id)
            )
        ).scalar_one()
        key = task.number if task.kind == "section" else f"{task.parent_number}/{task.number}"
        by_number[(task.kind, key)] = task.code

    await _insert_many(
        session,
        Responsibility,
        [
            {"task_id": task_ids[t.code], "unit_id": unit_ids[name], "role": role}
            for t in parsed.tasks
            for name, role in _roles(t).items()
        ],
    )
    await _insert_many(
        session,
        Indicator,
        [
            {
                "task_id": task_ids[t.code],
                "plan_id": plan.id,
                "code": i.code,
                "name": i.name[:200],
                "unit_label": i.unit_label[:32],
                "comparator": i.comparator,
                "target_value": i.target_value,
                "target_max": i.target_max,
                "source_text": i.source_text,
            }
            for t in parsed.tasks
            for i in t.indicators
        ],
    )
    await _insert_many(
        session,
        Milestone,
        [
            {"task_id": task_ids[t.code], "title": m.title[:500], "due_on": m.due_on, "note": ""}
            for t in parsed.tasks
            for m in t.milestones
        ],
    )
    links = {
        (task_ids[t.code], task_ids[other])
        for t in parsed.tasks
        for other in t.related_codes
        if other in task_ids
    }
    links |= {(b, a) for a, b in links}
    await _insert_many(
        session, TaskRelation, [{"task_id": a, "related_task_id": b} for a, b in sorted(links)]
    )

    record = PlanImport(
        plan_id=plan.id,
        title=parsed.title[:500],
        year=parsed.year,
        doc_number=parsed.doc_number,
        filename=filename,
        source_text=text,
        summary=_summary(parsed, len(unit_ids) - created, created).model_dump(),
        warnings=list(parsed.warnings),
    )
    session.add(record)
    await session.flush()
    # Tasks, units and the rest went in as bulk inserts the ORM audit does not see.
    await audit.record(
        session,
        action="import",
        entity_type="plan",
        entity_id=plan.id,
        changes={"plan_import_id": [None, record.id], "summary": [None, record.summary]},
    )
    return record


def _roles(task: ParsedTask) -> dict[str, str]:
    """One role per unit and task; a unit named both ways leads."""
    roles: dict[str, str] = {}
    for unit in task.units:
        if roles.get(unit.name) != "lead":
            roles[unit.name] = unit.role
    return roles


async def _insert_many(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(model), rows)


async def list_imports(
    session: AsyncSession, *, query: PlanImportQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    stmt = read_select(PlanImport)
    if query.plan_id is not None:
        stmt = stmt.where(PlanImport.plan_id == query.plan_id)
    return await fetch_page(session, stmt, PlanImport, page)


async def get_import(session: AsyncSession, *, import_id: int) -> Record:
    return await get_row_or_404(session, PlanImport, import_id)
