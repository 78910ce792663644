"""Units tell how a task is going, period by period; the task keeps every account."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.tasks.models import Task
from tests.factories import create_responsibility, create_task, create_unit
from tests.helpers import ClientAs

UPDATE = {"period": "2024Q2", "done": "新馆主体完工", "problems": "展品到货延迟", "percent": 60}


@pytest.fixture
async def world(db: AsyncSession, client_as: ClientAs) -> AsyncIterator[dict]:  # type: ignore[type-arg]
    unit, other = await create_unit(db), await create_unit(db)
    mine, theirs = await create_task(db), await create_task(db)
    await create_responsibility(db, task=mine, unit=unit)
    async with client_as("reporter", unit=unit, name="填报") as reporter:
        yield {"unit": unit, "other": other, "mine": mine, "theirs": theirs, "reporter": reporter}


class TestProgressUpdates:
    async def test_update_is_kept_and_sets_the_task_progress(
        self,
        world: dict,
        client: AsyncClient,  # type: ignore[type-arg]
    ) -> None:
        url = f"/api/v1/tasks/{world['mine'].id}/progress-updates"
        first = await world["reporter"].post(url, json={**UPDATE, "unit_id": world["unit"].id})
        assert first.status_code == 201, first.text
        second = await world["reporter"].post(
            url, json={**UPDATE, "unit_id": world["unit"].id, "period": "2024Q3", "percent": 80}
        )
        assert second.status_code == 201
        history = (await client.get(url)).json()["items"]
        assert [h["period"] for h in history] == ["2024Q3", "2024Q2"]  # newest first
        assert history[1]["problems"] == "展品到货延迟"
        task = (await client.get(f"/api/v1/tasks/{world['mine'].id}")).json()
        assert task["progress"] == 80

    @pytest.mark.parametrize(
        ("before", "after"),
        [("not_started", "in_progress"), ("suspended", "suspended"), ("completed", "completed")],
    )
    async def test_percent_moves_a_task_not_started_to_in_progress(
        self,
        world: dict,  # type: ignore[type-arg]
        client: AsyncClient,
        db: AsyncSession,
        before: str,
        after: str,
    ) -> None:
        task = world["mine"]
        await db.execute(update(Task).where(Task.id == task.id).values(status=before))
        url = f"/api/v1/tasks/{task.id}/progress-updates"
        response = await world["reporter"].post(url, json={**UPDATE, "unit_id": world["unit"].id})
        assert response.status_code == 201, response.text
        read = (await client.get(f"/api/v1/tasks/{task.id}")).json()
        assert (read["status"], read["progress"]) == (after, 60)
        assert await db.scalar(select(Task.status).where(Task.id == task.id)) == after

    async def test_no_percent_leaves_the_status(
        self,
        world: dict,  # type: ignore[type-arg]
        db: AsyncSession,
    ) -> None:
        task = world["mine"]
        url = f"/api/v1/tasks/{task.id}/progress-updates"
        body = {**UPDATE, "unit_id": world["unit"].id, "percent": None}
        assert (await world["reporter"].post(url, json=body)).status_code == 201
        assert await db.scalar(select(Task.status).where(Task.id == task.id)) == "not_started"

    async def test_a_reporter_need_not_name_its_unit(self, world: dict) -> None:  # type: ignore[type-arg]
        url = f"/api/v1/tasks/{world['mine'].id}/progress-updates"
        response = await world["reporter"].post(url, json=UPDATE)
        assert response.status_code == 201, response.text
        assert response.json()["unit_id"] == world["unit"].id

    async def test_the_office_must_name_the_unit(self, world: dict, client: AsyncClient) -> None:  # type: ignore[type-arg]
        url = f"/api/v1/tasks/{world['mine'].id}/progress-updates"
        response = await client.post(url, json=UPDATE)
        assert response.status_code == 422, response.text
        assert response.json()["errors"] == [
            {"pointer": "#/unit_id", "detail": "required for keys not bound to a unit"}
        ]
        assert (await client.get(url)).json()["items"] == []

    async def test_reporter_only_for_its_own_unit_and_tasks(self, world: dict) -> None:  # type: ignore[type-arg]
        reporter = world["reporter"]
        other_unit = await reporter.post(
            f"/api/v1/tasks/{world['mine'].id}/progress-updates",
            json={**UPDATE, "unit_id": world["other"].id},
        )
        other_task = await reporter.post(
            f"/api/v1/tasks/{world['theirs'].id}/progress-updates",
            json={**UPDATE, "unit_id": world["unit"].id},
        )
        assert other_unit.status_code == other_task.status_code == 403

    async def test_bad_input(self, world: dict, client: AsyncClient) -> None:  # type: ignore[type-arg]
        url = f"/api/v1/tasks/{world['mine'].id}/progress-updates"
        body = {**UPDATE, "unit_id": world["unit"].id}
        assert (await client.post(url, json={**body, "period": "2023Q1"})).status_code == 422
        assert (await client.post(url, json={**body, "done": ""})).status_code == 422
        assert (await client.post(url, json={**body, "percent": 101})).status_code == 422
        assert (await client.post(url, json={**body, "unit_id": 999999})).status_code == 422
        missing = await client.post("/api/v1/tasks/999999/progress-updates", json=body)
        assert missing.status_code == 404
        assert (await client.get("/api/v1/tasks/999999/progress-updates")).status_code == 404

    async def test_the_documented_body_lets_reporters_leave_the_unit_out(
        self, anon: AsyncClient
    ) -> None:
        schemas = (await anon.get("/openapi.json")).json()["components"]["schemas"]
        body = schemas["ProgressUpdateCreate"]
        assert "unit_id" not in body["required"]
        assert body["properties"]["unit_id"]["type"] == "integer"  # left out, never null
        assert any("unit_id" not in example for example in body["examples"])
