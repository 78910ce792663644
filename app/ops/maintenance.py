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


async def _obligations(session: AsyncSession, as_of: date) -> dict[str, int]:
    emitted = await obligation_timed.emit(session, as_of=as_of)
    return {
        "obligation_due_soon": emitted.due_soon,
        "obligation_overdue": emitted.overdue,
        "reminders_sent": emitted.reminders,
    }


async def _milestones(session: AsyncSession, as_of: date) -> dict[str, int]:
    return {"milestone_overdue": await milestone_timed.emit_overdue(session, as_of=as_of)}


async def _health(session: AsyncSession, as_of: date) -> dict[str, int]:
    return {"task_health_changed": await task_timed.emit_health_changes(session, as_of=as_of)}


_TIMED = (("obligations", _obligations), ("milestones", _milestones), ("task health", _health))


async def emit_timed(maker: async_sessionmaker[AsyncSession], *, as_of: date) -> dict[str, int]:
    """Every time-driven event due at ``as_of``, each kind in a transaction of its own: its
    events commit with their "emitted" marks, a kind that fails (logged, tried again next pass)
    holds back none of the others, and no one transaction holds the change feed back for all.
    Returns counts of what was emitted."""
    counts: dict[str, int] = {}
    for what, step in _TIMED:
        try:
            async with maker.begin() as session:  # commits on leaving
                counts |= await step(session, as_of)
        except Exception as exc:
            _failed(f"time-driven events ({what})", exc)
            if is_outage(exc):  # the others would fail alike: one line says it
                break
    return counts


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
        emitted = await emit_timed(maker, as_of=clock.today())
        log.info("time-driven events", extra=emitted)


def _failed(what: str, exc: Exception) -> None:
    """An outage is one line, as for requests; anything else keeps its traceback."""
    if is_outage(exc):
        log.warning(f"{what} skipped: database unreachable; will retry",
                    extra={"error": exc.__class__.__name__})  # fmt: skip
    else:
        log.exception(f"{what} failed; will retry")
