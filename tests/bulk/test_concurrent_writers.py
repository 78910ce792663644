"""A bulk upload and an office decision on the same record, at the same time, on the app as it
is served (real connections, real commits): the decision is never silently undone."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import orjson
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from app.settings import async_database_url
from tests.factories import (
    create_indicator,
    create_plan,
    create_report,
    create_responsible_unit,
    create_task,
)
from tests.helpers import served


async def a_submitted_report(url: str) -> tuple[dict[str, str], int]:
    engine = create_async_engine(async_database_url(url))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            plan = await create_plan(session, year=2024)
            task = await create_task(session, plan=plan)
            indicator = await create_indicator(session, task=task, frequency="quarterly")
            unit = await create_responsible_unit(session, indicator=indicator)
            report = await create_report(session, indicator=indicator, unit=unit, value=100)
            await session.commit()
            row = {"plan": plan.code, "indicator": indicator.code, "unit": unit.code}
            return row | {"period": "2024Q1"}, report.id
    finally:
        await engine.dispose()


async def wait_until_blocked(conn: asyncpg.Connection) -> None:
    for _ in range(200):
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the upload never waited for the approval")


async def test_an_approval_made_while_an_upload_runs_is_not_reverted(own_database: str) -> None:
    key, report_id = await a_submitted_report(own_database)
    office = await asyncpg.connect(own_database)
    watcher = await asyncpg.connect(own_database)
    try:
        async with served(own_database, f"lsk_writers_{uuid.uuid4().hex}") as client:
            decision = office.transaction()
            await decision.start()
            await office.execute(
                "UPDATE indicator_reports SET status = 'approved', version = version + 1 "
                "WHERE id = $1",
                report_id,
            )
            upload = asyncio.create_task(
                client.post(
                    "/api/v1/bulk/indicator-reports",
                    content=orjson.dumps(key | {"value": 9000}),
                    headers={"Content-Type": "application/x-ndjson"},
                )
            )
            await wait_until_blocked(watcher)  # the upload has read the report as submitted
            await decision.commit()
            response = await upload
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["code"] == "conflict"
        assert [(e["row"], e["code"]) for e in problem["errors"]] == [(1, "conflict")]
        row = await watcher.fetchrow(
            "SELECT status, value FROM indicator_reports WHERE id = $1", report_id
        )
        assert (row["status"], row["value"]) == ("approved", 100)
    finally:
        await office.close()
        await watcher.close()
