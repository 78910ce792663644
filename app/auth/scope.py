"""What a reporter key may touch, as SQL: checks run in the query that reads the data."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.service import Principal
from app.crud import check_if_match, entity_label
from app.db import Base
from app.errors import Forbidden, NotFound
from app.responsibilities.models import Responsibility
from app.units.models import Unit
from app.units.service import self_and_ancestors

M = TypeVar("M", bound=Base)


def unit_responsible_for(unit_id: int, task_id: Any) -> ColumnElement[bool]:
    """The unit, or a group it belongs to, leads or takes part in the task."""
    return exists().where(
        Responsibility.task_id == task_id,
        Responsibility.unit_id.in_(self_and_ancestors(unit_id)),
    )


def unit_may_report(unit_id: int, task_id: Any, reporter_unit_id: Any) -> ColumnElement[bool]:
    """The unit may report an indicator: it is responsible for the indicator's task, or it (or
    the group it is a member of) is the indicator's designated reporter — who owes it, in
    app/obligations/service.py; bulk uploads state the same rule in SQL."""
    return or_(
        unit_responsible_for(unit_id, task_id),
        reporter_unit_id == unit_id,
        reporter_unit_id.in_(select(Unit.parent_id).where(Unit.id == unit_id)),
    )


def reporter_unit(actor: Principal) -> int | None:
    """The unit a reporter is confined to; ``None`` for roles that are not confined."""
    if actor.role != "reporter":
        return None
    if actor.unit_id is None:  # the database refuses such keys; never widen access if one exists
        raise Forbidden("this reporter key is not bound to a unit")
    return actor.unit_id


async def get_in_scope(
    session: AsyncSession,
    model: type[M],
    entity_id: int,
    *,
    scope: ColumnElement[bool] | None,
    for_update: bool = False,
) -> M:
    """Load a record for a change: 404 if missing, 403 if the scope does not cover it."""
    stmt = select(model, (scope if scope is not None else true()).label("in_scope")).where(
        model.id == entity_id  # type: ignore[attr-defined]
    )
    if for_update:
        stmt = stmt.with_for_update(of=model)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound(f"{entity_label(model)} {entity_id} does not exist")
    if not row.in_scope:
        raise Forbidden(
            f"{entity_label(model)} {entity_id} is not among your unit's responsibilities"
        )
    return row[0]


def ensure_fields(actor: Principal, changes: dict[str, Any], allowed: set[str]) -> None:
    """Reporters record progress; everything else about a task is the office's."""
    if actor.role == "reporter" and (refused := sorted(changes.keys() - allowed)):
        raise Forbidden(
            f"a reporter may change only {', '.join(sorted(allowed))}; not {', '.join(refused)}"
        )


async def get_for_reporter_change(
    session: AsyncSession,
    model: type[M],
    entity_id: int,
    *,
    task_id: Any,
    actor: Principal,
    changes: dict[str, Any],
    reporter_fields: set[str],
    if_match: str | None,
) -> M:
    """Lock a record of a task to change it: a reporter changes only ``reporter_fields``, and
    only of tasks its unit answers for (``task_id``: the record's task column); then If-Match."""
    ensure_fields(actor, changes, reporter_fields)
    unit = reporter_unit(actor)
    scope = None if unit is None else unit_responsible_for(unit, task_id)
    record = await get_in_scope(session, model, entity_id, scope=scope, for_update=True)
    check_if_match(if_match, record)
    return record


async def responsible_task_ids(session: AsyncSession, unit_id: int) -> set[int]:
    """Every task the unit, or a group it belongs to, is responsible for: one query, so a check
    over many rows is a set lookup instead of a query per row."""
    stmt = select(Responsibility.task_id).where(
        Responsibility.unit_id.in_(self_and_ancestors(unit_id))
    )
    return set((await session.execute(stmt)).scalars())
