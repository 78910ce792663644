from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
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
    )

    indicator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("indicators.id", ondelete="RESTRICT")
    )
    unit_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    period: Mapped[str] = mapped_column(String(8))
    value: Mapped[Decimal] = mapped_column(AMOUNT)
    note: Mapped[str] = mapped_column(Text, server_default=text("''"))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'submitted'"))
    # Who last put the value forward: they may not also approve it (four eyes).
    submitted_by_key_id: Mapped[int | None] = mapped_column(BigInteger)
    review_comment: Mapped[str] = mapped_column(Text, server_default=text("''"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
