from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, EntityMixin
from app.indicators.models import AMOUNT

REPORT_STATUSES = ("draft", "submitted", "approved", "returned")


class IndicatorReport(EntityMixin, Base):
    """A unit's value of an indicator for one period."""

    __tablename__ = "indicator_reports"
    __table_args__ = (
        CheckConstraint(f"status IN {REPORT_STATUSES}", name="status"),
        UniqueConstraint("indicator_id", "unit_id", "period"),
        Index("ix_indicator_reports_indicator_id_period_start", "indicator_id", "period_start"),
    )

    indicator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("indicators.id", ondelete="RESTRICT")
    )
    unit_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    period: Mapped[str] = mapped_column(String(8))
    # Derived from `period` on write, so "has the period started by <date>" is an indexed range.
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(AMOUNT)
    note: Mapped[str] = mapped_column(Text, server_default=text("''"))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'submitted'"))
    # Who last put the value forward: they may not also approve it (four eyes).
    submitted_by_key_id: Mapped[int | None] = mapped_column(BigInteger)
    # When the unit first put a value forward (not a draft): the on-time reporting rate.
    first_submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_comment: Mapped[str] = mapped_column(Text, server_default=text("''"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
