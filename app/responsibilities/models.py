from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, EntityMixin

ROLES = ("lead", "participant")


class Responsibility(EntityMixin, Base):
    """A unit's part in a task: ``lead`` (牵头) or ``participant`` (配合)."""

    __tablename__ = "responsibilities"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES}", name="role"),
        UniqueConstraint("task_id", "unit_id"),
    )

    # Responsibilities are part of their task and go with it; a unit that still has some stays.
    task_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
