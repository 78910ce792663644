from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, EntityMixin

MILESTONE_STATUSES = ("pending", "completed", "cancelled")


class Milestone(EntityMixin, Base):
    """A dated checkpoint of a task."""

    __tablename__ = "milestones"
    __table_args__ = (CheckConstraint(f"status IN {MILESTONE_STATUSES}", name="status"),)

    task_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    completed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, server_default=text("''"))


class MilestoneEvent(Base):
    """A time-driven event already emitted for a milestone (``overdue``): the unique key makes a
    second replica's emission of the same one a no-op. The due date is part of the key, so a
    milestone moved to a later date and missed again is announced again."""

    __tablename__ = "milestone_events"
    __table_args__ = (UniqueConstraint("milestone_id", "kind", "due_on"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    milestone_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("milestones.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)
    emitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
