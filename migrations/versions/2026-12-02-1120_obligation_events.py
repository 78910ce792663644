"""obligation events: each time-driven event emitted once (unique key), for every replica

Revision ID: 8e2f4b6a1c95
Revises: 5c1e9a7d3b40
Create Date: 2026-12-02 11:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8e2f4b6a1c95"
down_revision: str | None = "5c1e9a7d3b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "obligation_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("indicator_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "emitted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_obligation_events_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_obligation_events_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_events")),
        sa.UniqueConstraint(
            "indicator_id",
            "unit_id",
            "period",
            "kind",
            name=op.f("uq_obligation_events_indicator_id_unit_id_period_kind"),
        ),
    )
    op.create_index(
        op.f("ix_obligation_events_unit_id"), "obligation_events", ["unit_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("obligation_events")
