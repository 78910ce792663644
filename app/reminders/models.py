from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, EntityMixin

REMINDER_STATUSES = ("awaiting_reply", "replied")


class Reminder(EntityMixin, Base):
    """A 催办: the office asks a unit to report what it owes, and to answer by a date.

    The obligations are kept as they stood when it was sent (a JSON list of indicator, period
    and due date), so the record and its feed event say what was asked, whatever happens to
    the reports afterwards.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint(f"status IN {REMINDER_STATUSES}", name="status"),
        CheckConstraint(
            "(status = 'replied') = (replied_at IS NOT NULL)", name="replied_at_with_status"
        ),
    )

    unit_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("plans.id", ondelete="CASCADE"), index=True
    )
    obligations: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    message: Mapped[str] = mapped_column(Text)
    reply_by: Mapped[date] = mapped_column(Date)
    sent_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'awaiting_reply'"))
    reply_message: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replied_by: Mapped[str | None] = mapped_column(String(200))
