"""reminders (催办): the office reminds a unit of reports it owes, the unit replies

Revision ID: 5c1e9a7d3b40
Revises: 384d9bcd8087
Create Date: 2026-12-02 11:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5c1e9a7d3b40"
down_revision: str | None = "384d9bcd8087"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=True),
        sa.Column("obligations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reply_by", sa.Date(), nullable=False),
        sa.Column("sent_by", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.String(length=16),
            server_default=sa.text("'awaiting_reply'"),
            nullable=False,
        ),
        sa.Column("reply_message", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_by", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('awaiting_reply', 'replied')", name=op.f("ck_reminders_status")
        ),
        sa.CheckConstraint(
            "(status = 'replied') = (replied_at IS NOT NULL)",
            name=op.f("ck_reminders_replied_at_with_status"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_reminders_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_reminders_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
    )
    op.create_index(op.f("ix_reminders_plan_id"), "reminders", ["plan_id"], unique=False)
    op.create_index(op.f("ix_reminders_unit_id"), "reminders", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_table("reminders")
