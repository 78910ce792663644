"""Time-driven events: when an obligation passes its due date unreported, the feed says so once
(``obligation.overdue``), however many replicas run this.

One statement finds the obligations that fell overdue recently, records each in
``obligation_events`` (``ON CONFLICT DO NOTHING`` on its unique key: a replica racing another
waits for the other's commit, then inserts nothing) and appends an audit event for each row it
did insert — so the feed event and the "emitted" mark commit together or not at all.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.obligations import service as obligation_service

# How far back a pass looks: a worker down for up to this long still emits what fell overdue
# meanwhile; older obligations (history when the service is first deployed) are not announced.
LOOKBACK_DAYS = 7
ENTITY_TYPE = "obligation"

_EMIT = """,
    fresh AS (
        INSERT INTO obligation_events (indicator_id, unit_id, period, kind, due_on)
        SELECT indicator_id, unit_id, period, 'overdue', due_on FROM settled
        WHERE status = 'overdue' AND due_on >= CAST(:as_of AS date) - CAST(:lookback AS integer)
        ORDER BY indicator_id, unit_id, period
        ON CONFLICT (indicator_id, unit_id, period, kind) DO NOTHING
        RETURNING id, indicator_id, unit_id, period, due_on
    )
    INSERT INTO audit_events (actor_key_id, actor_name, action, entity_type, entity_id, changes)
    SELECT NULL, 'system', 'overdue', 'obligation', f.id, jsonb_build_object(
        'indicator_id', jsonb_build_array(NULL, f.indicator_id),
        'unit_id', jsonb_build_array(NULL, f.unit_id),
        'period', jsonb_build_array(NULL, f.period),
        'due_on', jsonb_build_array(NULL, f.due_on))
    FROM fresh f ORDER BY f.id
"""
_STATEMENT = text(obligation_service.obligations_sql("true", _EMIT, known=False))


async def emit_overdue(session: AsyncSession, *, as_of: date) -> int:
    """Emit ``obligation.overdue`` for each obligation overdue at ``as_of`` (due within the
    last ``LOOKBACK_DAYS``) not yet announced; the caller commits. Returns how many."""
    result = await session.execute(
        _STATEMENT,
        {**obligation_service.params(as_of=as_of, known_at=None), "lookback": LOOKBACK_DAYS},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
