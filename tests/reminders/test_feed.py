"""Reminders in the change feed: real commits on the served app, read as other systems do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth import service as auth_service
from tests.events.test_feed import api, feed_app, read_all, writer
from tests.factories import (
    create_indicator,
    create_plan,
    create_responsibility,
    create_task,
    create_unit,
)

__all__ = ["api", "feed_app", "writer"]


class TestReminderEvents:
    async def test_sent_and_replied_appear_in_the_reminded_units_scope(
        self, api: AsyncClient, writer: AsyncEngine
    ) -> None:
        async with AsyncSession(writer, expire_on_commit=False) as session:
            ours, theirs = await create_unit(session), await create_unit(session)
            plan = await create_plan(session, year=2024)
            task = await create_task(session, plan=plan)
            await create_responsibility(session, task=task, unit=ours)
            await create_responsibility(session, task=task, unit=theirs, role="participant")
            await create_indicator(session, task=task, frequency="annual")
            _, our_key = await auth_service.create_api_key(
                session, name="our reporter", role="reporter", unit_id=ours.id
            )
            _, their_key = await auth_service.create_api_key(
                session, name="their reporter", role="reporter", unit_id=theirs.id
            )
            await session.commit()
        reply_by = (date.today() + timedelta(days=7)).isoformat()
        sent = await api.post("/api/v1/reminders", json={"unit_id": ours.id, "reply_by": reply_by})
        assert sent.status_code == 201, sent.text
        reminder = sent.json()["id"]
        reporter = {"Authorization": f"Bearer {our_key}"}
        replied = await api.post(
            f"/api/v1/reminders/{reminder}/reply", json={"message": "已报送"}, headers=reporter
        )
        assert replied.status_code == 200, replied.text

        def of_reminder(events: list[dict[str, Any]]) -> list[str]:
            return [
                e["type"] for e in events if e["entity"] == {"type": "reminder", "id": reminder}
            ]

        def done(events: list[dict[str, Any]]) -> bool:
            return "reminder.replied" in of_reminder(events)

        api.headers["Authorization"] = f"Bearer {our_key}"
        events, _ = await read_all(api, type="reminder.*", until=done)
        assert of_reminder(events) == ["reminder.sent", "reminder.replied"]
        created = events[0]["changes"]
        assert created["obligations"][1][0]["period"] == "2024"
        events, _ = await read_all(api, type="reminder.replied", plan_id=plan.id, until=done)
        assert of_reminder(events) == ["reminder.replied"]
        api.headers["Authorization"] = f"Bearer {their_key}"
        events, _ = await read_all(api, type="reminder.*")
        assert of_reminder(events) == []
