"""bulk upload markers: find a transaction's bulk_upload.completed event without scanning it

Webhook fan-out asks, for each transaction on a page of the change feed, whether it was a bulk
upload; a partial index holds only those events, so a 100,000-row upload costs one probe a page.

Revision ID: bulk_upload_markers_0330
Revises: 8e2f4b6a1c95
Create Date: 2026-12-05 03:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "bulk_upload_markers_0330"
down_revision: str | None = "8e2f4b6a1c95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_events_bulk_upload",
        "audit_events",
        ["xid"],
        postgresql_where="entity_type = 'bulk_upload'",
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_bulk_upload", table_name="audit_events")
