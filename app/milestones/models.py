from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, String, Text, text
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
