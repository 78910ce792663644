"""timed events: due-soon notices and automatic reminders as plan settings, overdue milestones
and task health changes each announced once

`plans.due_soon_days` (0–60, NULL off, default 3) and `plans.auto_remind` (default false);
`milestone_events` marks a milestone's overdue event as emitted (unique per milestone, kind and
due date, so replicas emit it once); `task_health_states` holds the health last announced per
task, against which the next pass announces a change. An obligation's due-soon or overdue event
is once per due date: one whose date moved (the plan's grace days changed) is announced again.

Revision ID: timed_events_0800
Revises: bulk_upload_markers_0330
Create Date: 2026-12-05 08:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "timed_events_0800"
down_revision: str | None = "bulk_upload_markers_0330"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "plans",
        sa.Column("due_soon_days", sa.Integer(), server_default=sa.text("3"), nullable=True),
    )
    op.add_column(
        "plans",
        sa.Column("auto_remind", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_plans_due_soon_days"), "plans", "due_soon_days BETWEEN 0 AND 60"
    )
    op.create_table(
        "milestone_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("milestone_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "emitted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestones.id"],
            name=op.f("fk_milestone_events_milestone_id_milestones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_events")),
        sa.UniqueConstraint(
            "milestone_id",
            "kind",
            "due_on",
            name=op.f("uq_milestone_events_milestone_id_kind_due_on"),
        ),
    )
    op.create_table(
        "task_health_states",
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("health", sa.String(length=8), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "health IN ('green', 'amber', 'red')", name=op.f("ck_task_health_states_health")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_task_health_states_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_task_health_states")),
    )

    # An obligation's event is once per due date: one whose date moved is announced again.
    op.drop_constraint(
        op.f("uq_obligation_events_indicator_id_unit_id_period_kind"),
        "obligation_events",
        type_="unique",
    )
    op.create_unique_constraint(
        op.f("uq_obligation_events_indicator_id_unit_id_period_kind_due_on"),
        "obligation_events",
        ["indicator_id", "unit_id", "period", "kind", "due_on"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("uq_obligation_events_indicator_id_unit_id_period_kind_due_on"),
        "obligation_events",
        type_="unique",
    )
    op.create_unique_constraint(
        op.f("uq_obligation_events_indicator_id_unit_id_period_kind"),
        "obligation_events",
        ["indicator_id", "unit_id", "period", "kind"],
    )
    op.drop_table("task_health_states")
    op.drop_table("milestone_events")
    op.drop_constraint(op.f("ck_plans_due_soon_days"), "plans", type_="check")
    op.drop_column("plans", "auto_remind")
    op.drop_column("plans", "due_soon_days")
