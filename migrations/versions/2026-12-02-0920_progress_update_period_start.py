"""progress update period start: notes count by the period they are for, like reports

Revision ID: 5c1e0f7a9d21
Revises: 608b3a594b75
Create Date: 2026-12-02 09:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1e0f7a9d21"
down_revision: str | None = "608b3a594b75"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("task_progress_updates", sa.Column("period_start", sa.Date(), nullable=True))
    # Stored periods are normalised: 2024, 2024H1, 2024Q2, 2024-05.
    op.execute(
        """
        UPDATE task_progress_updates SET period_start = CASE
            WHEN period ~ '^\\d{4}$' THEN make_date(period::int, 1, 1)
            WHEN period ~ '^\\d{4}H\\d$'
                THEN make_date(left(period, 4)::int, (right(period, 1)::int - 1) * 6 + 1, 1)
            WHEN period ~ '^\\d{4}Q\\d$'
                THEN make_date(left(period, 4)::int, (right(period, 1)::int - 1) * 3 + 1, 1)
            ELSE make_date(left(period, 4)::int, right(period, 2)::int, 1)
        END
        """
    )
    op.alter_column("task_progress_updates", "period_start", nullable=False)


def downgrade() -> None:
    op.drop_column("task_progress_updates", "period_start")
