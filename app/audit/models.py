from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from app.db import Base


class XID8(UserDefinedType[int]):
    """Postgres' 64-bit transaction id (``xid8``), which never wraps around."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


# Reflection (``alembic check``) names the column's type rather than warning it is unknown.
ischema_names.setdefault("xid8", XID8)


class AuditEvent(Base):
    """One write: when, by whom, to what, and each changed field's old and new value.

    Appended in the transaction of the write itself, so a write without its event (or an
    event without its write) cannot be committed. Actors are copied, not referenced: the
    trail must outlive revoked keys.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity_type", "entity_id"),
        Index("ix_audit_events_xid", "xid", "id"),
        # A transaction's bulk_upload.completed, found without scanning the upload's events.
        Index(
            "ix_audit_events_bulk_upload",
            "xid",
            postgresql_where=text("entity_type = 'bulk_upload'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    actor_key_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(String(64))
    # The writing transaction's id: the change feed's order (see app/events/service.py).
    xid: Mapped[int] = mapped_column(XID8(), server_default=text("pg_current_xact_id()"))
