"""The /api/v1/milestones contract: dated checkpoints of a task."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.milestones.models import Milestone
from tests.factories import create_milestone, create_task
from tests.helpers import MAX_ID, Collection, assert_problem
from tests.resources import milestone_body as valid_body

api = Collection("/api/v1/milestones", Milestone)
URL = api.url


class TestCreateMilestone:
    async def test_created_completed_gets_completed_on(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        response = await client.post(URL, json=valid_body(task.id, status="completed"))
        assert response.status_code == 201, response.text
        assert response.json()["completed_on"] == clock.today().isoformat()

    async def test_created_completed_keeps_given_date(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        response = await client.post(
            URL, json=valid_body(task.id, status="completed", completed_on="2024-03-03")
        )
        assert response.status_code == 201, response.text
        assert response.json()["completed_on"] == "2024-03-03"

    async def test_missing_task_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        problem = assert_problem(await client.post(URL, json=valid_body(MAX_ID)), 422)
        assert problem["errors"][0]["pointer"] == "#/task_id"
        assert await api.count(db) == 0


class TestListMilestones:
    async def test_filter_by_task(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        wanted = await create_milestone(db, task=task)
        await create_milestone(db, task=await create_task(db))
        assert await api.list_ids(client, task_id=task.id) == [wanted.id]

    async def test_filter_by_due_before_is_strict(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        wanted = await create_milestone(db, task=task, due_on=date(2024, 3, 30))
        await create_milestone(db, task=task, due_on=date(2024, 3, 31))
        await create_milestone(db, task=task, due_on=date(2024, 9, 30))
        assert await api.list_ids(client, due_before="2024-03-31") == [wanted.id]

    async def test_filters_combine(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        wanted = await create_milestone(db, task=task, status="pending", due_on=date(2024, 1, 1))
        await create_milestone(db, task=task, status="completed", due_on=date(2024, 1, 1))
        await create_milestone(db, task=task, status="pending", due_on=date(2024, 12, 1))
        await create_milestone(db, task=await create_task(db), due_on=date(2024, 1, 1))
        assert await api.list_ids(
            client, task_id=task.id, status="pending", due_before="2024-06-01"
        ) == [wanted.id]


class TestUpdateMilestone:
    async def test_changes_only_given_fields(self, client: AsyncClient, db: AsyncSession) -> None:
        m = await create_milestone(db, task=await create_task(db), note="原")
        before = await api.read(client, m.id)
        response = await api.patch(client, m.id, {"note": "已调整"}, before.headers["etag"])
        assert response.status_code == 200, response.text
        after = response.json()
        assert after["note"] == "已调整"
        for key in ("title", "due_on", "status", "completed_on", "task_id"):
            assert after[key] == before.json()[key]
        assert response.headers["etag"] != before.headers["etag"]
        assert (await api.read(client, m.id)).json() == after
        assert await db.scalar(select(Milestone.note).where(Milestone.id == m.id)) == "已调整"

    async def test_completing_sets_completed_on(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        m = await create_milestone(db, task=await create_task(db))
        response = await api.patch(client, m.id, {"status": "completed"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "completed"
        assert response.json()["completed_on"] == clock.today().isoformat()

    async def test_completing_with_a_date_keeps_it(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        m = await create_milestone(db, task=await create_task(db))
        response = await api.patch(
            client, m.id, {"status": "completed", "completed_on": "2024-09-28"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["completed_on"] == "2024-09-28"

    async def test_reopening_clears_completed_on(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        m = await create_milestone(
            db, task=await create_task(db), status="completed", completed_on=date(2024, 5, 1)
        )
        response = await api.patch(client, m.id, {"status": "pending"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "pending"
        assert response.json()["completed_on"] is None
        stored = await db.scalar(select(Milestone.completed_on).where(Milestone.id == m.id))
        assert stored is None

    async def test_other_change_keeps_completion(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        m = await create_milestone(
            db, task=await create_task(db), status="completed", completed_on=date(2024, 5, 1)
        )
        response = await api.patch(client, m.id, {"note": "补充说明"})
        assert response.status_code == 200, response.text
        assert response.json()["completed_on"] == "2024-05-01"

    @pytest.mark.parametrize("value", ["2024-02-30", 20240630])
    async def test_bad_date_is_422(self, client: AsyncClient, db: AsyncSession, value: Any) -> None:
        m = await create_milestone(db, task=await create_task(db))
        body = assert_problem(await api.patch(client, m.id, {"due_on": value}), 422)
        assert body["errors"][0]["pointer"] == "#/due_on"
