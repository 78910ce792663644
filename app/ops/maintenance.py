"""Housekeeping every replica may run: forget expired idempotency records and old rate-limit
windows (plain deletes by age, so replicas doing it at once get in nobody's way), and emit the
time-driven events (each once, whichever replica gets there first: app/obligations/timed.py,
app/milestones/timed.py, app/tasks/timed.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import clock
from app.errors import is_outage
from app.idempotency.service import purge_expired
from app.milestones import timed as milestone_timed
from app.obligations import timed as obligation_timed
from app.tasks import timed as task_timed

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 600


async def tidy(session: AsyncSession, *, idempotency_retention: timedelta) -> dict[str, int]:
    """One pass; the caller commits. Returns how many rows of each kind went."""
    windows = await session.execute(
        text("DELETE FROM rate_limit_windows WHERE window_start < now() - interval '1 hour'")
    )
    return {
        "idempotency_records": await purge_expired(session, retention=idempotency_retention),
        "rate_limit_windows": int(windows.rowcount or 0),  # type: ignore[attr-defined]
    }


async def emit_timed(session: AsyncSession, *, as_of: date) -> dict[str, int]:
    """Every time-driven event due at ``as_of``, in the caller's one transaction (the caller
    commits: each event commits with its "emitted" mark, or neither does). Returns counts."""
    obligations = await obligation_timed.emit(session, as_of=as_of)
    return {
        "obligation_due_soon": obligations.due_soon,
        "obligation_overdue": obligations.overdue,
        "reminders_sent": obligations.reminders,
        "milestone_overdue": await milestone_timed.emit_overdue(session, as_of=as_of),
        "task_health_changed": await task_timed.emit_health_changes(session, as_of=as_of),
    }


async def run_forever(
    maker: async_sessionmaker[AsyncSession], *, idempotency_retention: timedelta
) -> None:
    """Tidy every ten minutes until cancelled; a failed pass is logged and retried later."""
    while True:
        await asyncio.sleep(INTERVAL_SECONDS)
        try:
            async with maker.begin() as session:  # commits on leaving
                removed = await tidy(session, idempotency_retention=idempotency_retention)
            log.info("housekeeping", extra=removed)
        except Exception as exc:  # the database may be away for a while; the service stays up
            _failed("housekeeping", exc)
        try:
            async with maker.begin() as session:
                emitted = await emit_timed(session, as_of=clock.today())
            log.info("time-driven events", extra=emitted)
        except Exception as exc:
            _failed("time-driven events", exc)


def _failed(what: str, exc: Exception) -> None:
    """An outage is one line, as for requests; anything else keeps its traceback."""
    if is_outage(exc):
        log.warning(f"{what} skipped: database unreachable; will retry",
                    extra={"error": exc.__class__.__name__})  # fmt: skip
    else:
        log.exception(f"{what} failed; will retry")
