"""indicator comparator about: approximate targets (6.2%左右, 约200场)

Revision ID: 608b3a594b75
Revises: 906b0d4bf4bb
Create Date: 2026-12-02 06:01:19.228872+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "608b3a594b75"
down_revision: str | None = "906b0d4bf4bb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Alembic's autogenerate does not compare CHECK constraints: the texts are written out here, and
# the new one must stay the same as app/indicators/models.py renders it.
OLD = "comparator IN ('gte', 'lte', 'eq', 'between')"
NEW = "comparator IN ('gte', 'lte', 'eq', 'between', 'about')"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_indicators_comparator"), "indicators", type_="check")
    op.create_check_constraint(op.f("ck_indicators_comparator"), "indicators", NEW)


def downgrade() -> None:
    # Fails while `about` indicators exist: there is no older comparator that means the same,
    # and quietly turning them into `gte` would make their targets stricter.
    op.drop_constraint(op.f("ck_indicators_comparator"), "indicators", type_="check")
    op.create_check_constraint(op.f("ck_indicators_comparator"), "indicators", OLD)
