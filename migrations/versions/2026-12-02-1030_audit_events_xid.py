"""audit events carry their transaction id, and a commit that wrote some tells listeners

The change feed reads audit events in commit order: an event is served once every transaction
with a smaller id has ended (below the reader's snapshot xmin), so one that began earlier but
commits later is never skipped. The statement-level trigger NOTIFYs once per statement (Postgres
folds identical notifications of one transaction into one), delivered only at commit.

Existing rows take this migration's own transaction id: they are all final once it commits, and
their order among themselves stays their id.

Revision ID: 3f6a1c8e5b27
Revises: 7d2b4e9c0a13
Create Date: 2026-12-02 10:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3f6a1c8e5b27"
down_revision: str | None = "7d2b4e9c0a13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE audit_events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.create_index("ix_audit_events_xid", "audit_events", ["xid", "id"], unique=False)
    op.execute(
        "CREATE FUNCTION luoshi_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN PERFORM pg_notify('luoshi_events', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_events_notify AFTER INSERT ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION luoshi_notify_events()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_events_notify ON audit_events")
    op.execute("DROP FUNCTION luoshi_notify_events()")
    op.drop_index("ix_audit_events_xid", table_name="audit_events")
    op.drop_column("audit_events", "xid")
