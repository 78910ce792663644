from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, aggregate_order_by
from sqlalchemy.orm import Mapped, column_property, mapped_column

from app.db import Base, EntityMixin

TASK_KINDS = ("section", "key_task", "work_point", "subtask")
TASK_STATUSES = ("not_started", "in_progress", "completed", "suspended", "cancelled")


class Task(EntityMixin, Base):
    """A node of the plan tree: section, key task, work point or subtask."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(f"kind IN {TASK_KINDS}", name="kind"),
        CheckConstraint(f"status IN {TASK_STATUSES}", name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("start_on IS NULL OR due_on IS NULL OR start_on <= due_on", name="dates"),
        UniqueConstraint("plan_id", "kind", "number"),
    )

    plan_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("plans.id", ondelete="RESTRICT"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("tasks.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, server_default=text("''"))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'not_started'"))
    progress: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    start_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    completed_on: Mapped[date | None] = mapped_column(Date)

    if TYPE_CHECKING:
        related_task_ids: list[int]  # column_property below


class TaskRelation(Base):
    """A symmetric link between tasks that restate each other (key task ↔ work point)."""

    __tablename__ = "task_relations"

    task_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    related_task_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True, index=True
    )


# Read with the task in the same statement: no extra round trip for the links.
Task.related_task_ids = column_property(  # type: ignore[assignment]
    func.coalesce(
        select(
            func.array_agg(
                aggregate_order_by(TaskRelation.related_task_id, TaskRelation.related_task_id)
            )
        )
        .where(TaskRelation.task_id == Task.id)
        .scalar_subquery(),
        literal([], ARRAY(BigInteger)),
    ),
    deferred=False,
)


class ProgressUpdate(Base):
    """A unit's narrative account of a task for a period: done, problems, next steps.

    Appended, never edited: the task keeps its history, and the latest one is the current say.
    """

    __tablename__ = "task_progress_updates"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("units.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(String(8))
    # Derived from `period` on write: a note counts at `as_of` when its period has begun.
    period_start: Mapped[date] = mapped_column(Date)
    done: Mapped[str] = mapped_column(Text)
    problems: Mapped[str] = mapped_column(Text, server_default=text("''"))
    next_steps: Mapped[str] = mapped_column(Text, server_default=text("''"))
    percent: Mapped[int | None] = mapped_column(Integer)
    author_key_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TaskHealthState(Base):
    """The health last announced for a task (``task.health_changed``, app/tasks/timed.py): the
    next pass announces a change against it, and only a change."""

    __tablename__ = "task_health_states"
    __table_args__ = (CheckConstraint("health IN ('green', 'amber', 'red')", name="health"),)

    task_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    health: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[str]] = mapped_column(JSONB)
    as_of: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
