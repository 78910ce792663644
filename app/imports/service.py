"""Notice imports: a parsed notice becomes a plan with its tasks, units, targets and dates.

Reading and parsing are pure (``app.imports.readers``, ``app.imports.parser``); this module
turns a parse into the import's structure (the preview), matches units, and stores a structure
— parsed, or reviewed and corrected by the office — in the request's transaction, keeping the
source text and warnings as an import record.

Warnings travel as data (``warning_details``: a code, its task, its figures) and are said as
sentences (``warnings``) here, in the request's language (``app.imports.texts``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.crud import Record, fetch_page, get_row_or_404, read_select
from app.errors import AppError, Conflict
from app.imports import texts
from app.imports.document import Document, Table
from app.imports.models import PlanImport
from app.imports.parser import (
    NoticeParseError,
    ParsedPlan,
    ParsedTask,
    ParseWarning,
    parse_document,
)
from app.imports.schemas import (
    ExistingPlan,
    ImportPreview,
    ImportSummary,
    ImportWarning,
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
from app.units.rules import readable_code

_MAX_TEXT = 20000
_MAX_PARAM = 200  # characters of a name or a title quoted in a warning
_PLAN_WARNINGS, _TASK_WARNINGS = 1000, 200  # as many as a structure sent back may carry
# The service's own checks: made afresh on every preview, never carried over from one sent back.
_OWN_CHECKS = frozenset({"already_imported", "new_unit", "no_reporter"})


class NoticeNotUnderstood(AppError):
    status, code, title = 422, "notice_not_understood", "The notice could not be understood"


def document_text(document: Document) -> str:
    """The notice as text, kept with the import: tables as rows of cells apart by " | "."""
    parts: list[str] = []
    for block in document.blocks:
        if isinstance(block, Table):
            parts.extend(" | ".join(c.replace("\n", " ") for c in row) for row in block.rows)
        else:
            parts.append(block)
    return "\n".join(parts)


def parse(document: Document, *, year: int | None = None) -> ImportPreview:
    """The import's structure as parsed, or a 422 problem listing what could not be read."""
    try:
        parsed = parse_document(document, year=year)
    except NoticeParseError as exc:
        raise NoticeNotUnderstood(
            "; ".join(exc.problems) or "the text is not a work-plan notice",
            errors=[{"detail": problem} for problem in exc.problems],
        ) from exc
    return _structure(parsed, source_text=document_text(document))


def _warning(code: str, /, *, task: str | None = None, **params: str | int) -> ImportWarning:
    cut = {k: v[:_MAX_PARAM] if isinstance(v, str) else v for k, v in params.items()}
    return ImportWarning(code=code, task_code=task, params=cut)


def _detail(warning: ParseWarning) -> ImportWarning:
    return _warning(warning.code, task=warning.task, **warning.values)


def _said(details: list[ImportWarning], *, on_plan: bool) -> list[str]:
    """The sentences for ``details`` in the current language; on the plan's list each names
    its task."""
    return [
        texts.warning_text(d.code, d.params, task=d.task_code if on_plan else None)[:4000]
        for d in details
    ]


def _capped(details: list[ImportWarning], limit: int) -> list[ImportWarning]:
    if len(details) <= limit:
        return details
    rest = len(details) - limit + 1
    return [*details[: limit - 1], _warning("more_warnings", count=rest)]


def _structure(parsed: ParsedPlan, *, source_text: str) -> ImportPreview:
    details = _capped([_detail(w) for w in parsed.warnings], _PLAN_WARNINGS)
    return ImportPreview(
        title=parsed.title[:500] or f"{parsed.year}年工作计划",
        year=parsed.year,
        doc_number=parsed.doc_number,
        issuer=(parsed.issuer or "")[:200] or None,
        issued_on=parsed.issued_on,
        tasks=[_task_out(task) for task in parsed.tasks],
        warnings=_said(details, on_plan=True),
        warning_details=details,
        source_text=source_text,
    )


def _task_out(task: ParsedTask) -> ParsedTaskOut:
    details = _capped([_detail(w) for w in task.warnings], _TASK_WARNINGS)
    return ParsedTaskOut(
        code=task.code,
        kind=task.kind,
        number=task.number[:16],
        title=task.title[:500] or task.code,
        description=task.description[:_MAX_TEXT],
        parent_code=task.parent_code,
        parent_number=task.parent_number,
        due_on=task.due_on,
        related_codes=list(task.related_codes),
        units=[ParsedUnitOut(name=u.name, kind=u.kind, role=u.role) for u in task.units],
        indicators=[
            ParsedIndicatorOut(
                code=i.code,
                name=i.name[:200] or i.code,
                comparator=i.comparator,
                target_value=i.target_value,
                target_max=i.target_max,
                unit_label=i.unit_label[:32],
                source_text=i.source_text[:_MAX_TEXT],
            )
            for i in task.indicators
        ],
        milestones=[
            ParsedMilestoneOut(title=m.title[:500], due_on=m.due_on, source_text=m.source_text)
            for m in task.milestones
        ],
        source_text=task.source_text[:_MAX_TEXT],
        warnings=_said(details, on_plan=False),
        warning_details=details,
    )


async def _existing_plan(session: AsyncSession, structure: ImportPreview) -> ExistingPlan | None:
    same_title = (Plan.title == structure.title) & (Plan.year == structure.year)
    condition = (
        same_title
        if structure.doc_number is None
        else or_(Plan.doc_number == structure.doc_number, same_title)
    )
    row = (await session.execute(select(Plan.id, Plan.code).where(condition))).first()
    return None if row is None else ExistingPlan(id=row.id, code=row.code)


async def _existing_units(session: AsyncSession, names: set[str]) -> dict[str, int]:
    rows = await session.execute(
        select(Unit.id, Unit.name).where(Unit.name.in_(names)).order_by(Unit.id)
    )
    found: dict[str, int] = {}
    for unit_id, name in rows:
        found.setdefault(name, unit_id)  # the oldest unit of that name wins
    return found


def _unit_names(structure: ImportPreview) -> set[str]:
    return {unit.name for task in structure.tasks for unit in task.units}


def _summary(structure: ImportPreview, matched: int, created: int) -> ImportSummary:
    kinds = Counter(task.kind for task in structure.tasks)
    return ImportSummary(
        sections=kinds["section"],
        key_tasks=kinds["key_task"],
        work_points=kinds["work_point"],
        subtasks=kinds["subtask"],
        units_matched=matched,
        units_created=created,
        responsibilities=sum(len({u.name for u in t.units}) for t in structure.tasks),
        indicators=sum(len(t.indicators) for t in structure.tasks),
        milestones=sum(len(t.milestones) for t in structure.tasks),
        related_links=sum(len(t.related_codes) for t in structure.tasks if t.kind == "key_task"),
    )


def _unreported(task: ParsedTaskOut) -> list[ImportWarning]:
    """Indicators nobody will report: reports are owed by the lead units of their task."""
    if any(unit.role == "lead" for unit in task.units):
        return []
    return [
        _warning("no_reporter", task=task.code, indicator=i.code, name=i.name)
        for i in task.indicators
    ]


def _restated(
    warnings: list[str],
    details: list[ImportWarning],
    *,
    on_plan: bool,
    limit: int,
    before: list[ImportWarning] | None = None,
    after: list[ImportWarning] | None = None,
) -> dict[str, Any]:
    """Warnings as sent, said again in this request's language with the service's checks made
    afresh (``before`` and ``after`` them). Sentences sent without details are kept as sent."""
    kept = [d for d in details if d.code not in _OWN_CHECKS]
    fresh_before, fresh_after = before or [], after or []
    if details:
        all_details = _capped([*fresh_before, *kept, *fresh_after], limit)
        return {"warnings": _said(all_details, on_plan=on_plan), "warning_details": all_details}
    head, tail = _said(fresh_before, on_plan=on_plan), _said(fresh_after, on_plan=on_plan)
    sentences = list(dict.fromkeys([*head, *warnings, *tail]))[:limit]
    return {"warnings": sentences, "warning_details": _capped([*fresh_before, *fresh_after], limit)}


async def preview(session: AsyncSession, *, structure: ImportPreview) -> ImportPreview:
    """The structure with existing units matched, a warning on each guess and on each
    indicator nobody will report, and the plan it was already imported as, if any; nothing
    is stored."""
    existing = await _existing_units(session, _unit_names(structure))
    tasks, unreported = [], []
    for task in structure.tasks:
        guesses = []
        units = []
        for unit in task.units:
            unit_id = existing.get(unit.name)
            if unit_id is None:
                guesses.append(_warning("new_unit", task=task.code, name=unit.name, kind=unit.kind))
            units.append(unit.model_copy(update={"unit_id": unit_id}))
        nobody = _unreported(task)
        unreported.extend(nobody)
        said = _restated(
            task.warnings,
            task.warning_details,
            on_plan=False,
            limit=_TASK_WARNINGS,
            after=[*guesses, *nobody],
        )
        tasks.append(task.model_copy(update={"units": units, **said}))
    plan = await _existing_plan(session, structure)
    already = [] if plan is None else [_warning("already_imported", id=plan.id, code=plan.code)]
    names = _unit_names(structure)
    matched = len(names & existing.keys())
    return structure.model_copy(
        update={
            "tasks": tasks,
            **_restated(
                structure.warnings,
                structure.warning_details,
                on_plan=True,
                limit=_PLAN_WARNINGS,
                before=already,
                after=unreported,
            ),
            "existing_plan": plan,
            "summary": _summary(structure, matched, len(names) - matched),
        }
    )


async def _free_codes(session: AsyncSession, model: Any, wanted: list[str]) -> list[str]:
    """``wanted`` codes made unique against ``model``'s codes and each other ("SFGW-2")."""
    taken = set(
        await session.scalars(
            select(model.code).where(
                or_(*(model.code.startswith(code, autoescape=True) for code in set(wanted)))
            )
        )
    ) if wanted else set()  # fmt: skip
    codes = []
    for code in wanted:
        candidate, n = code, 1
        while candidate in taken:
            n += 1
            candidate = f"{code}-{n}"
        taken.add(candidate)
        codes.append(candidate)
    return codes


async def _plan_code(session: AsyncSession, structure: ImportPreview) -> str:
    """From the 文号 as an office reads it: "豫科协办发〔2024〕9号" → "YKXBF-2024-9"."""
    base = (
        readable_code(structure.doc_number.removesuffix("号"))
        if structure.doc_number
        else f"PLAN-{structure.year}"
    )
    (code,) = await _free_codes(session, Plan, [base])
    return code


async def _resolve_units(
    session: AsyncSession, structure: ImportPreview
) -> tuple[dict[str, int], int]:
    """Ids of every responsible unit: existing ones by name, the rest created with a kind
    inferred from the name and a code read from it ("省科技馆" → "SKJG")."""
    names = _unit_names(structure)
    ids = await _existing_units(session, names)
    kinds = {unit.name: unit.kind for task in structure.tasks for unit in task.units}
    missing = sorted(names - ids.keys())
    if missing:
        codes = await _free_codes(session, Unit, [readable_code(name) for name in missing])
        rows = await session.execute(
            insert(Unit).returning(Unit.id, Unit.name),
            [
                {"code": code, "name": name, "kind": kinds[name], "is_inferred": True}
                for name, code in zip(missing, codes, strict=True)
            ],
        )
        ids.update({name: unit_id for unit_id, name in rows})
    return ids, len(missing)


def _numbers(tasks: list[ParsedTaskOut]) -> dict[str, str]:
    """Printed numbers, unique within a kind as the table requires: where one repeats
    (numbering restarting per section, （一） in every section) the task's code stands in,
    and where that is too long or taken too, its position."""
    seen = Counter((task.kind, task.number) for task in tasks)
    taken: set[tuple[str, str]] = set()
    numbers: dict[str, str] = {}
    for index, task in enumerate(tasks, 1):
        for number in (task.number, task.code, f"#{index}"):
            if len(number) <= 16 and (task.kind, number) not in taken:
                if number == task.number and seen[(task.kind, number)] > 1:
                    continue
                break
        taken.add((task.kind, number))
        numbers[task.code] = number
    return numbers


async def store(
    session: AsyncSession, *, structure: ImportPreview, filename: str | None
) -> PlanImport:
    """Create the plan and everything in it; one transaction, nothing half-written."""
    existing = await _existing_plan(session, structure)
    if existing is not None:
        raise Conflict(
            f"this notice is already imported as plan {existing.id} ({existing.code}); "
            "change that plan instead of importing it again"
        )
    plan = Plan(
        code=await _plan_code(session, structure),
        title=structure.title,
        year=structure.year,
        doc_number=structure.doc_number,
        issuer=structure.issuer,
        issued_on=structure.issued_on,
        status="active",
    )
    session.add(plan)
    await session.flush()

    unit_ids, created = await _resolve_units(session, structure)
    numbers = _numbers(structure.tasks)
    task_ids: dict[str, int] = {}
    for task in structure.tasks:  # parents come first: the schema checks it
        task_ids[task.code] = (
            await session.execute(
                insert(Task)
                .values(
                    plan_id=plan.id,
                    parent_id=task_ids[task.parent_code] if task.parent_code else None,
                    kind=task.kind,
                    number=numbers[task.code],
                    title=task.title,
                    description=task.description,
                    due_on=task.due_on,
                )
                .returning(Task.id)
            )
        ).scalar_one()

    await _insert_many(
        session,
        Responsibility,
        [
            {"task_id": task_ids[t.code], "unit_id": unit_ids[name], "role": role}
            for t in structure.tasks
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
                "name": i.name,
                "unit_label": i.unit_label,
                "comparator": i.comparator,
                "target_value": i.target_value,
                "target_max": i.target_max,
                "source_text": i.source_text,
            }
            for t in structure.tasks
            for i in t.indicators
        ],
    )
    await _insert_many(
        session,
        Milestone,
        [
            {"task_id": task_ids[t.code], "title": m.title, "due_on": m.due_on, "note": ""}
            for t in structure.tasks
            for m in t.milestones
        ],
    )
    links = {
        (task_ids[t.code], task_ids[other])
        for t in structure.tasks
        for other in t.related_codes
        if other in task_ids and other != t.code
    }
    links |= {(b, a) for a, b in links}
    await _insert_many(
        session, TaskRelation, [{"task_id": a, "related_task_id": b} for a, b in sorted(links)]
    )

    record = PlanImport(
        plan_id=plan.id,
        title=structure.title,
        year=structure.year,
        doc_number=structure.doc_number,
        filename=filename,
        source_text=structure.source_text,
        summary=_summary(structure, len(unit_ids) - created, created).model_dump(),
        warnings=_restated(
            structure.warnings,
            structure.warning_details,
            on_plan=True,
            limit=_PLAN_WARNINGS,
            after=[w for task in structure.tasks for w in _unreported(task)],
        )["warnings"],
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


def _roles(task: ParsedTaskOut) -> dict[str, str]:
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
