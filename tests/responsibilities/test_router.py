"""The /api/v1/responsibilities contract: which unit leads or joins which task."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.responsibilities.models import Responsibility
from tests.factories import create_responsibility, create_task, create_unit
from tests.helpers import MAX_ID, Collection, assert_problem

api = Collection("/api/v1/responsibilities", Responsibility)
URL = api.url


@pytest.fixture
async def pair(db: AsyncSession) -> tuple[int, int]:
    """A task and a unit with nothing between them yet."""
    task = await create_task(db)
    unit = await create_unit(db)
    return task.id, unit.id


class TestCreateResponsibility:
    async def test_role_defaults_to_lead(
        self, client: AsyncClient, db: AsyncSession, pair: tuple[int, int]
    ) -> None:
        task_id, unit_id = pair
        response = await client.post(URL, json={"task_id": task_id, "unit_id": unit_id})
        assert response.status_code == 201, response.text
        assert response.json()["role"] == "lead"
        stored = await db.scalar(
            select(Responsibility.role).where(Responsibility.id == response.json()["id"])
        )
        assert stored == "lead"

    async def test_second_for_same_task_and_unit_is_409(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task, unit = await create_task(db), await create_unit(db)
        await create_responsibility(db, task=task, unit=unit, role="lead")
        response = await client.post(
            URL, json={"task_id": task.id, "unit_id": unit.id, "role": "participant"}
        )
        body = assert_problem(response, 409, "conflict")
        assert str(unit.id) in body["detail"]
        assert await api.count(db) == 1

    async def test_same_unit_on_another_task_is_fine(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        unit = await create_unit(db)
        await create_responsibility(db, task=await create_task(db), unit=unit)
        other = await create_task(db)
        response = await client.post(URL, json={"task_id": other.id, "unit_id": unit.id})
        assert response.status_code == 201, response.text

    @pytest.mark.parametrize("field", ["task_id", "unit_id"])
    async def test_missing_reference_is_422(
        self, client: AsyncClient, db: AsyncSession, pair: tuple[int, int], field: str
    ) -> None:
        task_id, unit_id = pair
        body = {"task_id": task_id, "unit_id": unit_id} | {field: MAX_ID}
        problem = assert_problem(await client.post(URL, json=body), 422)
        assert problem["errors"][0]["pointer"] == f"#/{field}"
        assert await api.count(db) == 0


class TestListResponsibilities:
    async def test_filter_by_task(self, client: AsyncClient, db: AsyncSession) -> None:
        task, unit = await create_task(db), await create_unit(db)
        wanted = await create_responsibility(db, task=task, unit=unit)
        await create_responsibility(db, task=await create_task(db), unit=unit)
        assert await api.list_ids(client, task_id=task.id) == [wanted.id]

    async def test_filter_by_unit(self, client: AsyncClient, db: AsyncSession) -> None:
        task, unit = await create_task(db), await create_unit(db)
        wanted = await create_responsibility(db, task=task, unit=unit)
        await create_responsibility(db, task=task, unit=await create_unit(db))
        assert await api.list_ids(client, unit_id=unit.id) == [wanted.id]

    async def test_filters_combine(self, client: AsyncClient, db: AsyncSession) -> None:
        task, unit = await create_task(db), await create_unit(db)
        wanted = await create_responsibility(db, task=task, unit=unit, role="participant")
        await create_responsibility(db, task=task, unit=await create_unit(db), role="participant")
        await create_responsibility(db, task=await create_task(db), unit=unit, role="participant")
        assert await api.list_ids(client, task_id=task.id, unit_id=unit.id) == [wanted.id]


class TestUpdateResponsibility:
    async def test_changes_role_and_etag(self, client: AsyncClient, db: AsyncSession) -> None:
        r = await create_responsibility(
            db, task=await create_task(db), unit=await create_unit(db), role="lead"
        )
        before = await api.read(client, r.id)
        response = await api.patch(client, r.id, {"role": "participant"}, before.headers["etag"])
        assert response.status_code == 200, response.text
        after = response.json()
        assert after["role"] == "participant"
        assert (after["task_id"], after["unit_id"]) == (
            before.json()["task_id"],
            before.json()["unit_id"],
        )
        assert response.headers["etag"] != before.headers["etag"]
        assert (await api.read(client, r.id)).json() == after
