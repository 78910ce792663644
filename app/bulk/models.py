from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Integer,
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base

JOB_STATUSES = ("queued", "running", "succeeded", "failed")


class BulkJob(Base):
    """An upload run in the background: its body, who sent it, and how far it got.

    Kept in Postgres so any replica's worker can run it and a restart loses none; the queue
    entry that wakes a worker (pgqueuer) is written in the same transaction.
    """

    __tablename__ = "bulk_jobs"
    __table_args__ = (CheckConstraint(f"status IN {JOB_STATUSES}", name="status"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    resource: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(8))
    atomic: Mapped[bool] = mapped_column(Boolean)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    content_type: Mapped[str] = mapped_column(String(200))
    # Dropped once the job is done: the summary is what is kept.
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'queued'"))
    rows_read: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # The actor is copied: the job runs with the rights the key had when it was sent.
    actor_key_id: Mapped[int] = mapped_column(BigInteger, index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_unit_id: Mapped[int | None] = mapped_column(BigInteger)
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
