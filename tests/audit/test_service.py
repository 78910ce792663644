"""The audit hook names an update after what it meant, when the service says so."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit_service
from app.audit.models import AuditEvent
from tests.factories import create_unit


async def actions(db: AsyncSession, entity_id: int) -> list[str]:
    rows = await db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "unit", AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id)
    )
    return list(rows)


async def test_a_named_action_is_used_once_and_by_its_record_only(db: AsyncSession) -> None:
    named, other = await create_unit(db), await create_unit(db)
    audit_service.name_action(db, named, "approve")
    named.name, other.name = "改名一", "改名二"
    await db.flush()  # both in one flush: only `named` gets the name
    named.name = "再改"
    await db.flush()
    assert await actions(db, named.id) == ["create", "approve", "update"]
    assert await actions(db, other.id) == ["create", "update"]
