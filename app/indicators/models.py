from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, EntityMixin

# `about` is an approximate target (6.2%左右, 约200场); app/indicators/progress.py judges it.
COMPARATORS = ("gte", "lte", "eq", "between", "about")
AGGREGATIONS = ("sum", "latest", "max")
FREQUENCIES = ("annual", "semiannual", "quarterly", "monthly")
AMOUNT = Numeric(20, 4)


class Indicator(EntityMixin, Base):
    """A quantitative target of a task (不少于200场, 3-5家, 零事故, 约200场)."""

    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint(f"comparator IN {COMPARATORS}", name="comparator"),
        CheckConstraint(f"aggregation IN {AGGREGATIONS}", name="aggregation"),
        CheckConstraint(f"frequency IN {FREQUENCIES}", name="frequency"),
        CheckConstraint(
            "(comparator = 'between') = (target_max IS NOT NULL) AND "
            "(target_max IS NULL OR target_max >= target_value)",
            name="range",
        ),
        UniqueConstraint("plan_id", "code"),
    )

    task_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tasks.id", ondelete="RESTRICT"), index=True
    )
    # Copied from the task so codes are unique per plan and plan filters need no join.
    plan_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("plans.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit_label: Mapped[str] = mapped_column(String(32), server_default=text("''"))
    comparator: Mapped[str] = mapped_column(String(8))
    target_value: Mapped[Decimal] = mapped_column(AMOUNT)
    target_max: Mapped[Decimal | None] = mapped_column(AMOUNT)
    baseline: Mapped[Decimal | None] = mapped_column(AMOUNT)
    aggregation: Mapped[str] = mapped_column(String(8), server_default=text("'sum'"))
    frequency: Mapped[str] = mapped_column(String(16), server_default=text("'annual'"))
    source_text: Mapped[str] = mapped_column(Text, server_default=text("''"))
    # Who reports it when not the task's lead units (a target nobody leads, such as 零上访):
    # a unit, or a group whose members each report.
    reporter_unit_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
