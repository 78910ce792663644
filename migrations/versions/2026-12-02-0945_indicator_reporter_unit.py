"""indicator reporter unit: a target nobody leads (零上访) can be given to a unit or a group

Revision ID: 7d2b4e9c0a13
Revises: 5c1e0f7a9d21
Create Date: 2026-12-02 09:45:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d2b4e9c0a13"
down_revision: str | None = "5c1e0f7a9d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("indicators", sa.Column("reporter_unit_id", sa.BigInteger(), nullable=True))
    op.create_index(
        op.f("ix_indicators_reporter_unit_id"), "indicators", ["reporter_unit_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_indicators_reporter_unit_id_units"),
        "indicators",
        "units",
        ["reporter_unit_id"],
        ["id"],
        ondelete="RESTRICT",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_indicators_reporter_unit_id_units"), "indicators", type_="foreignkey"
    )
    op.drop_index(op.f("ix_indicators_reporter_unit_id"), table_name="indicators")
    op.drop_column("indicators", "reporter_unit_id")
