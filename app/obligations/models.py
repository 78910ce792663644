from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class ObligationEvent(Base):
    """A time-driven event already emitted for an obligation (``overdue``, ``due_soon``): the
    unique key makes a second replica's emission of the same one a no-op, so the feed says it
    once — once per due date, so an obligation whose date moved (the plan's grace days changed)
    is announced again against its new date."""

    __tablename__ = "obligation_events"
    __table_args__ = (UniqueConstraint("indicator_id", "unit_id", "period", "kind", "due_on"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    indicator_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("indicators.id", ondelete="CASCADE")
    )
    unit_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)
    emitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
