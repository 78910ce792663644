from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, EntityMixin

UNIT_KINDS = (
    "department",
    "institution",
    "society",
    "city",
    "university",
    "enterprise",
    "group",
    "other",
)


class Unit(EntityMixin, Base):
    """An organisation unit; a ``group`` stands for a collective designation such as 各全省学会."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint(f"kind IN {UNIT_KINDS}", name="kind"),)

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    is_inferred: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
