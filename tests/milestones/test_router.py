"""The /api/v1/milestones contract: dated checkpoints of a task."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.milestones.models import Milestone
from tests.factories import create_milestone, create_task
from tests.helpers import MAX_ID, Collection, assert_created, assert_problem

api = Collection("/api/v1/milestones", Milestone)
URL = api.url


def valid_body(task_id: int, /, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "task_id": task_id,
        "title": "新馆全面建成、全面开放",
        "due_on": "2024-12-31",
        "note": "按期推进",
    }
    return body | overrides


class TestCreateMilestone:
    async def test_created_with_location_and_etag(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        body = await assert_created(client, URL, valid_body((await create_task(db)).id))
        assert body["status"] == "pending"
        assert body["completed_on"] is None

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


class TestCreateMilestoneValidation:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param({"bogus": 1}, "bogus", id="unknown-field"),
            pytest.param({"completed": True}, "completed", id="unknown-flag"),
            pytest.param({"version": 1}, "version", id="version-not-writable"),
            pytest.param({"task_id": "1"}, "task_id", id="id-as-string"),
            pytest.param({"task_id": 10**30}, "task_id", id="huge-id"),
            pytest.param({"task_id": 1e308}, "task_id", id="huge-float-id"),
            pytest.param({"status": "done"}, "status", id="unknown-status"),
            pytest.param({"title": ["x"]}, "title", id="title-as-list"),
            pytest.param({"title": "节点\x00"}, "title", id="nul-in-title"),
            pytest.param({"note": "\x00"}, "note", id="nul-in-note"),
            pytest.param({"due_on": "2024-02-30"}, "due_on", id="impossible-date"),
            pytest.param({"due_on": 20241231}, "due_on", id="date-as-number"),
            pytest.param({"due_on": 1e308}, "due_on", id="date-as-huge-number"),
            pytest.param({"completed_on": "2024-13-01"}, "completed_on", id="bad-completed-on"),
            pytest.param({"note": "x" * 4001}, "note", id="note-too-long"),
        ],
    )
    async def test_bad_field_is_422_naming_it(
        self, client: AsyncClient, db: AsyncSession, overrides: dict[str, Any], field: str
    ) -> None:
        task = await create_task(db)
        response = await client.post(URL, json=valid_body(task.id, **overrides))
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"][0]["pointer"] == f"#/{field}"
        assert await api.count(db) == 0

    @pytest.mark.parametrize("field", ["task_id", "title", "due_on"])
    async def test_missing_required_field_is_422(
        self, client: AsyncClient, db: AsyncSession, field: str
    ) -> None:
        task = await create_task(db)
        body = valid_body(task.id)
        del body[field]
        problem = assert_problem(await client.post(URL, json=body), 422, "validation_failed")
        assert f"#/{field}" in [e["pointer"] for e in problem["errors"]]
        assert await api.count(db) == 0


class TestListMilestones:
    async def test_shape(self, client: AsyncClient, db: AsyncSession) -> None:
        m = await create_milestone(db, task=await create_task(db))
        body = (await client.get(URL)).json()
        assert set(body) == {"items", "next_cursor"}
        assert [item["id"] for item in body["items"]] == [m.id]
        assert body["next_cursor"] is None

    async def test_filter_by_task(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        wanted = await create_milestone(db, task=task)
        await create_milestone(db, task=await create_task(db))
        assert await api.list_ids(client, task_id=task.id) == [wanted.id]

    async def test_filter_by_status(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        wanted = await create_milestone(db, task=task, status="cancelled")
        await create_milestone(db, task=task, status="pending")
        assert await api.list_ids(client, status="cancelled") == [wanted.id]

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

    @pytest.mark.parametrize(
        "params",
        [
            {"bogus": "1"},
            {"status": "done"},
            {"task_id": "0"},
            {"due_before": "2024-02-30"},
            {"due_before": "soon"},
        ],
    )
    async def test_bad_query_is_422(self, client: AsyncClient, params: dict[str, str]) -> None:
        body = assert_problem(await client.get(URL, params=params), 422)
        assert next(iter(params)) in body["detail"]


class TestPageMilestones:
    async def test_huge_limit_is_coerced_to_500(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        await db.execute(
            insert(Milestone),
            [{"task_id": task.id, "title": "批量", "due_on": date(2024, 6, 30)}] * 501,
        )
        body = (await client.get(URL, params={"limit": 100000})).json()
        assert len(body["items"]) == 500
        assert body["next_cursor"] is not None


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

    async def test_without_if_match_applies(self, client: AsyncClient, db: AsyncSession) -> None:
        m = await create_milestone(db, task=await create_task(db))
        response = await client.patch(f"{URL}/{m.id}", json={"note": "x"})
        assert response.status_code == 200, response.text

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

    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        m = await create_milestone(db, task=await create_task(db), title="原")
        old = (await api.read(client, m.id)).headers["etag"]
        first = await api.patch(client, m.id, {"title": "第一次"}, old)
        assert first.status_code == 200
        second = await api.patch(client, m.id, {"title": "第二次"}, old)
        assert_problem(second, 412, "precondition_failed")
        got = await api.read(client, m.id)
        assert got.json()["title"] == "第一次"
        assert got.headers["etag"] == first.headers["etag"]

    async def test_if_match_star_applies(self, client: AsyncClient, db: AsyncSession) -> None:
        m = await create_milestone(db, task=await create_task(db))
        response = await api.patch(client, m.id, {"due_on": "2024-10-01"}, "*")
        assert response.status_code == 200, response.text
        assert response.json()["due_on"] == "2024-10-01"

    @pytest.mark.parametrize("field", ["title", "due_on", "status", "note"])
    async def test_null_for_required_field_is_422(
        self, client: AsyncClient, db: AsyncSession, field: str
    ) -> None:
        m = await create_milestone(db, task=await create_task(db))
        before = (await api.read(client, m.id)).json()
        body = assert_problem(
            await api.patch(client, m.id, {field: None}), 422, "validation_failed"
        )
        assert body["errors"][0]["pointer"] == f"#/{field}"
        assert (await api.read(client, m.id)).json() == before

    @pytest.mark.parametrize("field", ["task_id", "id", "bogus"])
    async def test_unknown_or_fixed_field_is_422(
        self, client: AsyncClient, db: AsyncSession, field: str
    ) -> None:
        m = await create_milestone(db, task=await create_task(db))
        body = assert_problem(await api.patch(client, m.id, {field: 1}), 422, "validation_failed")
        assert body["errors"][0]["pointer"] == f"#/{field}"

    @pytest.mark.parametrize("value", ["2024-02-30", 20240630])
    async def test_bad_date_is_422(self, client: AsyncClient, db: AsyncSession, value: Any) -> None:
        m = await create_milestone(db, task=await create_task(db))
        body = assert_problem(await api.patch(client, m.id, {"due_on": value}), 422)
        assert body["errors"][0]["pointer"] == "#/due_on"

    async def test_missing_is_404(self, client: AsyncClient) -> None:
        assert_problem(await api.patch(client, MAX_ID, {"note": "x"}), 404, "not_found")


class TestDeleteMilestone:
    async def test_204_then_404(self, client: AsyncClient, db: AsyncSession) -> None:
        m = await create_milestone(db, task=await create_task(db))
        etag = (await api.read(client, m.id)).headers["etag"]
        response = await client.delete(f"{URL}/{m.id}", headers={"If-Match": etag})
        assert response.status_code == 204
        assert_problem(await client.get(f"{URL}/{m.id}"), 404, "not_found")
        assert await api.count(db) == 0

    async def test_stale_if_match_is_412_and_keeps_it(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        m = await create_milestone(db, task=await create_task(db))
        old = (await api.read(client, m.id)).headers["etag"]
        assert (await api.patch(client, m.id, {"note": "改"}, old)).status_code == 200
        response = await client.delete(f"{URL}/{m.id}", headers={"If-Match": old})
        assert_problem(response, 412, "precondition_failed")
        await api.read(client, m.id)

    async def test_missing_is_404(self, client: AsyncClient) -> None:
        response = await client.delete(f"{URL}/{MAX_ID}", headers={"If-Match": "*"})
        assert_problem(response, 404, "not_found")
