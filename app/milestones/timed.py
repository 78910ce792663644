"""``milestone.overdue``: a milestone whose due date passed while it was still pending is
announced once, however many replicas run this.

As for obligations (app/obligations/timed.py), one statement records each in
``milestone_events`` (``ON CONFLICT DO NOTHING`` on milestone, kind and due date: a replica
racing another waits for the other's commit, then inserts nothing) and appends an audit event
per row it did insert, so the event and the "emitted" mark commit together.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# As for obligations: a worker down for up to this long still announces what fell overdue
# meanwhile; older history is not announced when the service is first deployed.
LOOKBACK_DAYS = 7

# "Overdue" as task health reads it (app/tasks/health.py): pending and due before `as_of`.
_EMIT = text(
    """
    WITH fresh AS (
        INSERT INTO milestone_events (milestone_id, kind, due_on)
        SELECT m.id, 'overdue', m.due_on FROM milestones m
        WHERE m.status = 'pending' AND m.due_on < CAST(:as_of AS date)
          AND m.due_on >= CAST(:as_of AS date) - CAST(:lookback AS integer)
        ORDER BY m.id
        ON CONFLICT (milestone_id, kind, due_on) DO NOTHING
        RETURNING id, milestone_id, due_on
    )
    INSERT INTO audit_events (actor_key_id, actor_name, action, entity_type, entity_id, changes)
    SELECT NULL, 'system', 'overdue', 'milestone', m.id, jsonb_build_object(
        'task_id', jsonb_build_array(NULL, m.task_id),
        'title', jsonb_build_array(NULL, m.title),
        'due_on', jsonb_build_array(NULL, f.due_on),
        'status', jsonb_build_array(NULL, m.status))
    FROM fresh f JOIN milestones m ON m.id = f.milestone_id
    ORDER BY f.id
    """
)


async def emit_overdue(session: AsyncSession, *, as_of: date) -> int:
    """Emit ``milestone.overdue`` for each milestone pending past its due date at ``as_of`` (due
    within the last ``LOOKBACK_DAYS``) not yet announced; the caller commits. Returns how many."""
    result = await session.execute(_EMIT, {"as_of": as_of, "lookback": LOOKBACK_DAYS})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
