"""Time-driven events: an obligation falling overdue is announced in the feed once, however
many replicas run the worker."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.audit.models import AuditEvent
from app.auth import service as auth_service
from app.obligations.timed import emit_overdue
from tests.events.test_feed import api, feed_app, read_all, writer
from tests.factories import (
    create_indicator,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)

__all__ = ["api", "feed_app", "writer"]

# 2024Q2 is due 10 July (grace 10 days): overdue from the 11th.
JULY_12 = date(2024, 7, 12)


async def world(session: AsyncSession) -> dict[str, Any]:
    plan = await create_plan(session, year=2024, report_grace_days=10)
    task = await create_task(session, plan=plan)
    a, b = await create_unit(session), await create_unit(session)
    await create_responsibility(session, task=task, unit=a)
    await create_responsibility(session, task=task, unit=b)
    indicator = await create_indicator(
        session, task=task, frequency="quarterly", target_value=Decimal(10)
    )
    await create_report(session, indicator=indicator, unit=b, period="2024Q2")
    return {"plan": plan, "a": a, "b": b, "indicator": indicator}


async def overdue_events(session: AsyncSession) -> list[Any]:
    rows = await session.execute(
        select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.changes)
        .where(AuditEvent.entity_type == "obligation")
        .order_by(AuditEvent.id)
    )
    return list(rows)


class TestEmitOverdue:
    async def test_announces_what_fell_overdue_unreported_once(self, db: AsyncSession) -> None:
        w = await world(db)
        assert await emit_overdue(db, as_of=JULY_12) == 1  # b reported; Q1 is long past
        assert await emit_overdue(db, as_of=JULY_12) == 0
        [event] = await overdue_events(db)
        assert (event.action, event.actor_name) == ("overdue", "system")
        assert event.changes == {
            "indicator_id": [None, w["indicator"].id],
            "unit_id": [None, w["a"].id],
            "period": [None, "2024Q2"],
            "due_on": [None, "2024-07-10"],
        }

    async def test_nothing_before_the_due_date_passes(self, db: AsyncSession) -> None:
        await world(db)
        assert await emit_overdue(db, as_of=date(2024, 7, 10)) == 0
        assert await overdue_events(db) == []


class TestReplicas:
    async def test_two_replicas_at_once_emit_one_event_and_the_feed_shows_it(
        self, writer: AsyncEngine, api: AsyncClient
    ) -> None:
        async with AsyncSession(writer, expire_on_commit=False) as session:
            w = await world(session)
            _, ours = await auth_service.create_api_key(
                session, name="a reporter", role="reporter", unit_id=w["a"].id
            )
            _, theirs = await auth_service.create_api_key(
                session, name="b reporter", role="reporter", unit_id=w["b"].id
            )
            await session.commit()
        first, second = AsyncSession(writer), AsyncSession(writer)
        try:
            assert await emit_overdue(first, as_of=JULY_12) == 1
            # The second waits on the first's uncommitted row, then finds it taken.
            racing = asyncio.create_task(emit_overdue(second, as_of=JULY_12))
            await asyncio.sleep(0.3)
            assert not racing.done()
            await first.commit()
            assert await racing == 0
            await second.commit()
        finally:
            await first.close()
            await second.close()

        def announced(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [e for e in events if e["type"] == "obligation.overdue"]

        api.headers["Authorization"] = f"Bearer {ours}"
        events, _ = await read_all(
            api, type="obligation.overdue", until=lambda events: bool(announced(events))
        )
        [event] = announced(events)
        assert event["changes"]["period"] == [None, "2024Q2"]
        assert event["actor"] == {"key_id": None, "name": "system"}
        by_plan, _ = await read_all(
            api, type="obligation.*", plan_id=w["plan"].id, until=lambda e: bool(announced(e))
        )
        assert len(announced(by_plan)) == 1
        api.headers["Authorization"] = f"Bearer {theirs}"
        events, _ = await read_all(api, type="obligation.overdue")
        assert announced(events) == []
