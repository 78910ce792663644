"""Every ORM write appends its audit event from inside the same flush, so none is forgotten.

Writes that bypass the ORM (bulk inserts of an import) call ``record`` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from asgi_correlation_id import correlation_id
from sqlalchemy import event, insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction

from app.audit.models import AuditEvent
from app.audit.schemas import AuditQuery
from app.db import Base
from app.pagination import PageParams

if TYPE_CHECKING:
    from app.crud import Record

# Bookkeeping columns change on every write; the event's own time says when.
_SKIPPED = {"version", "created_at", "updated_at", "last_used_at", "key_hash"}
_AUDITED: dict[type[Base], str] = {}
_UNMODELLED: set[str] = set()  # entity types recorded by ``record`` or SQL, not by a model
_NAMED_ACTIONS = "audit_named_actions"  # session.info key: object → action of its next update


@dataclass(frozen=True)
class Actor:
    key_id: int | None
    name: str


SYSTEM = Actor(key_id=None, name="system")


def audit_models(models: dict[type[Base], str]) -> None:
    """Writes to these models are audited, each under its entity type name."""
    _AUDITED.update(models)


def audit_entity_types(*names: str) -> None:
    """Events are also recorded under these names, for things no model is written for (an
    obligation falling overdue)."""
    _UNMODELLED.update(names)


def entity_types() -> set[str]:
    """The entity type names events are recorded under."""
    return set(_AUDITED.values()) | _UNMODELLED


def set_actor(session: AsyncSession | Session, actor: Actor) -> None:
    session.info["actor"] = actor


def name_action(session: AsyncSession | Session, obj: Base, action: str) -> None:
    """Record ``obj``'s next flushed update as ``action`` (a review's `approve`, say), not
    `update`, or its creation (a reminder's `send`) not `create`: the event then says what the
    change meant, not only which fields moved."""
    session.info.setdefault(_NAMED_ACTIONS, {})[obj] = action


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _row(session: Session, action: str, entity_type: str, entity_id: Any, changes: Any) -> dict:
    actor: Actor = session.info.get("actor", SYSTEM)
    return {
        "actor_key_id": actor.key_id,
        "actor_name": actor.name,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "changes": changes,
        "request_id": correlation_id.get(),
    }


def _column_values(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    return {
        attr.key: _json(state.dict[attr.key])
        for attr in state.mapper.column_attrs
        if attr.key not in _SKIPPED and attr.key in state.dict
    }


def _changed_fields(obj: Any) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _SKIPPED:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = [_json(old), _json(new)]
    return changes


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, flush_context: UOWTransaction) -> None:
    rows = []
    named: dict[Any, str] = session.info.get(_NAMED_ACTIONS, {})
    for obj in session.new:
        if (kind := _AUDITED.get(type(obj))) is not None:
            values = _column_values(obj)
            action = named.pop(obj, "create")
            rows.append(
                _row(session, action, kind, obj.id, {k: [None, v] for k, v in values.items()})
            )
    for obj in session.dirty:
        if (kind := _AUDITED.get(type(obj))) is not None and (changes := _changed_fields(obj)):
            # A name is used once, by the change it was given for; later updates are `update`.
            rows.append(_row(session, named.pop(obj, "update"), kind, obj.id, changes))
    for obj in session.deleted:
        if (kind := _AUDITED.get(type(obj))) is not None:
            values = _column_values(obj)
            rows.append(
                _row(session, "delete", kind, obj.id, {k: [v, None] for k, v in values.items()})
            )
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


async def record(
    session: AsyncSession,
    *,
    action: str,
    entity_type: str,
    entity_id: int | None,
    changes: dict[str, Any],
) -> None:
    """Append an event for a write the ORM did not see (bulk inserts)."""
    await session.execute(
        insert(AuditEvent),
        [_row(session.sync_session, action, entity_type, entity_id, _json_dict(changes))],
    )


def _json_dict(changes: dict[str, Any]) -> dict[str, Any]:
    return {key: _json(value) for key, value in changes.items()}


async def list_events(
    session: AsyncSession, *, query: AuditQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    from app.crud import fetch_page, read_select

    stmt = read_select(AuditEvent)
    if query.entity_type is not None:
        stmt = stmt.where(AuditEvent.entity_type == query.entity_type)
    if query.entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == query.entity_id)
    if query.actor is not None:
        stmt = stmt.where(AuditEvent.actor_key_id == query.actor)
    if query.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= query.since)
    return await fetch_page(session, stmt, AuditEvent, page, newest_first=True)


def bulk_events_sql(*, source: str, entity_id: str, changes: str) -> str:
    """``INSERT … SELECT`` of one event per row of ``source`` (a CTE of a set-based write, so
    the events land in the same statement and transaction); binds ``bulk_event_params``."""
    return (
        "INSERT INTO audit_events "
        "(actor_key_id, actor_name, action, entity_type, entity_id, changes, request_id) "
        "SELECT CAST(:audit_actor_key_id AS bigint), CAST(:audit_actor_name AS text), "
        "CAST(:audit_action AS text), CAST(:audit_entity_type AS text), "
        f"{entity_id}, {changes}, CAST(:audit_request_id AS text) FROM {source}"
    )


def bulk_event_params(session: AsyncSession, *, action: str, entity_type: str) -> dict[str, Any]:
    """The actor, action and request of ``bulk_events_sql``, as ``record`` would write them."""
    row = _row(session.sync_session, action, entity_type, None, {})
    return {
        "audit_actor_key_id": row["actor_key_id"],
        "audit_actor_name": row["actor_name"],
        "audit_action": action,
        "audit_entity_type": entity_type,
        "audit_request_id": row["request_id"],
    }
