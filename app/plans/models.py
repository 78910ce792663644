from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, EntityMixin

PLAN_STATUSES = ("draft", "active", "closed", "archived")


class Plan(EntityMixin, Base):
    """One issued notice: an annual work plan."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint(f"status IN {PLAN_STATUSES}", name="status"),
        CheckConstraint("report_grace_days BETWEEN 0 AND 366", name="report_grace_days"),
        CheckConstraint("due_soon_days BETWEEN 0 AND 60", name="due_soon_days"),
    )

    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    year: Mapped[int] = mapped_column(Integer, index=True)
    doc_number: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'draft'"))
    report_grace_days: Mapped[int] = mapped_column(Integer, server_default=text("10"))
    # Time-driven events (app/obligations/timed.py): announce an unreported obligation this many
    # days before it is due (NULL: never), and remind its unit of it then and when it falls
    # overdue. A null given is stored as null (off), not replaced by the default.
    due_soon_days: Mapped[int | None] = mapped_column(
        Integer().evaluates_none(), server_default=text("3")
    )
    auto_remind: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
