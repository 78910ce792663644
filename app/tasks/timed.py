"""``task.health_changed``: when a task's health (app/tasks/health.py) moves between green,
amber and red, the feed says so once, with the old and the new health and their reasons.

The health last announced is kept per task in ``task_health_states``; a task seen for the first
time (every task on the first pass after deployment) is recorded silently, so nothing floods.
Replicas compare and record a plan's tasks one at a time: each takes a transaction-scoped
advisory lock on the plan first, so a second replica waits for the first's commit and then
compares against what the first recorded — a change is announced by one of them only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit_service
from app.plans.models import Plan
from app.tasks.health import health_of_tasks
from app.tasks.models import TaskHealthState

ENTITY_TYPE = "task"
ACTION = "health_change"
# Draft plans are still being written; closed and archived ones are done with.
WATCHED_STATUSES = ("active",)

# Two-key form: this module's class, and the plan (folded into an int4; a collision only makes
# two plans wait on each other).
_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtext('luoshi.task_health'), "
    "CAST(CAST(:plan_id AS bigint) % 2147483647 AS integer))"
)


async def emit_health_changes(session: AsyncSession, *, as_of: date) -> int:
    """Announce each task of an active plan whose health at ``as_of`` differs from the health
    last announced; record tasks seen for the first time silently. The caller commits (which
    releases the locks). Returns how many changes were announced."""
    plans = (
        await session.scalars(
            select(Plan.id).where(Plan.status.in_(WATCHED_STATUSES)).order_by(Plan.id)
        )
    ).all()
    announced = 0
    for plan_id in plans:  # in id order, so replicas take the locks in one order
        await session.execute(_LOCK, {"plan_id": plan_id})
        announced += await _plan(session, plan_id=plan_id, as_of=as_of)
    return announced


async def _plan(session: AsyncSession, *, plan_id: int, as_of: date) -> int:
    health = await health_of_tasks(session, as_of=as_of, plan_id=plan_id)
    if not health:
        return 0
    # Read after the lock: under READ COMMITTED this sees what a replica before us committed.
    before = {
        row.task_id: row
        for row in await session.execute(
            select(TaskHealthState.task_id, TaskHealthState.health, TaskHealthState.reasons).where(
                TaskHealthState.task_id.in_(list(health))
            )
        )
    }
    writes: list[dict[str, Any]] = []
    announced = 0
    for task_id, now in sorted(health.items()):
        old = before.get(task_id)
        if old is not None and old.health == now.status and old.reasons == now.reasons:
            continue
        writes.append(
            {"task_id": task_id, "health": now.status, "reasons": now.reasons, "as_of": as_of}
        )
        # New reasons under the same health are kept (the next change shows them as the old
        # ones) but not announced.
        if old is not None and old.health != now.status:
            await audit_service.record(
                session,
                action=ACTION,
                entity_type=ENTITY_TYPE,
                entity_id=task_id,
                changes={
                    "health": [old.health, now.status],
                    "reasons": [old.reasons, now.reasons],
                },
            )
            announced += 1
    if writes:
        stmt = insert(TaskHealthState)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[TaskHealthState.task_id],
                set_={
                    "health": stmt.excluded.health,
                    "reasons": stmt.excluded.reasons,
                    "as_of": stmt.excluded.as_of,
                    "changed_at": text("now()"),
                },
            ),
            writes,
        )
    return announced
