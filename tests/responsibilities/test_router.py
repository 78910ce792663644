"""The /api/v1/responsibilities contract: which unit leads or joins which task."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.responsibilities.models import Responsibility
from app.tasks.models import Task
from tests.factories import create_plan, create_responsibility, create_task, create_unit
from tests.helpers import MAX_ID, Collection, assert_created, assert_problem

api = Collection("/api/v1/responsibilities", Responsibility)
URL = api.url


@pytest.fixture
async def pair(db: AsyncSession) -> tuple[int, int]:
    """A task and a unit with nothing between them yet."""
    task = await create_task(db)
    unit = await create_unit(db)
    return task.id, unit.id


class TestCreateResponsibility:
    async def test_created_with_location_and_etag(
        self, client: AsyncClient, pair: tuple[int, int]
    ) -> None:
        task_id, unit_id = pair
        sent = {"task_id": task_id, "unit_id": unit_id, "role": "participant"}
        await assert_created(client, URL, sent)

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


class TestCreateResponsibilityValidation:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param({"bogus": 1}, "bogus", id="unknown-field"),
            pytest.param({"id": 1}, "id", id="id-not-writable"),
            pytest.param({"role": "owner"}, "role", id="unknown-role"),
            pytest.param({"role": "lead\x00"}, "role", id="nul-in-role"),
            pytest.param({"role": 1}, "role", id="role-as-number"),
            pytest.param({"task_id": "1"}, "task_id", id="id-as-string"),
            pytest.param({"task_id": 10**30}, "task_id", id="huge-id"),
            pytest.param({"unit_id": 1e308}, "unit_id", id="huge-float-id"),
            pytest.param({"unit_id": 0}, "unit_id", id="zero-id"),
            pytest.param({"unit_id": None}, "unit_id", id="null-id"),
        ],
    )
    async def test_bad_field_is_422_naming_it(
        self,
        client: AsyncClient,
        db: AsyncSession,
        pair: tuple[int, int],
        overrides: dict[str, Any],
        field: str,
    ) -> None:
        task_id, unit_id = pair
        body = {"task_id": task_id, "unit_id": unit_id} | overrides
        problem = assert_problem(await client.post(URL, json=body), 422, "validation_failed")
        assert problem["errors"][0]["pointer"] == f"#/{field}"
        assert await api.count(db) == 0

    @pytest.mark.parametrize("field", ["task_id", "unit_id"])
    async def test_missing_required_field_is_422(
        self, client: AsyncClient, db: AsyncSession, pair: tuple[int, int], field: str
    ) -> None:
        task_id, unit_id = pair
        body = {"task_id": task_id, "unit_id": unit_id}
        del body[field]
        problem = assert_problem(await client.post(URL, json=body), 422, "validation_failed")
        assert f"#/{field}" in [e["pointer"] for e in problem["errors"]]
        assert await api.count(db) == 0


class TestListResponsibilities:
    async def test_shape(self, client: AsyncClient, db: AsyncSession) -> None:
        r = await create_responsibility(db, task=await create_task(db), unit=await create_unit(db))
        body = (await client.get(URL)).json()
        assert set(body) == {"items", "next_cursor"}
        assert [item["id"] for item in body["items"]] == [r.id]
        assert body["next_cursor"] is None

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

    async def test_filter_by_role(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        wanted = await create_responsibility(
            db, task=task, unit=await create_unit(db), role="participant"
        )
        await create_responsibility(db, task=task, unit=await create_unit(db), role="lead")
        assert await api.list_ids(client, role="participant") == [wanted.id]

    async def test_filters_combine(self, client: AsyncClient, db: AsyncSession) -> None:
        task, unit = await create_task(db), await create_unit(db)
        wanted = await create_responsibility(db, task=task, unit=unit, role="participant")
        await create_responsibility(db, task=task, unit=await create_unit(db), role="participant")
        await create_responsibility(db, task=await create_task(db), unit=unit, role="participant")
        assert await api.list_ids(client, task_id=task.id, unit_id=unit.id) == [wanted.id]

    @pytest.mark.parametrize(
        "params",
        [{"bogus": "1"}, {"role": "owner"}, {"task_id": "0"}, {"unit_id": "abc"}, {"limit": "x"}],
    )
    async def test_bad_query_is_422(self, client: AsyncClient, params: dict[str, str]) -> None:
        body = assert_problem(await client.get(URL, params=params), 422)
        assert next(iter(params)) in body["detail"]


class TestPageResponsibilities:
    async def test_huge_limit_is_coerced_to_500(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        unit = await create_unit(db)
        rows = [
            {"plan_id": plan.id, "kind": "subtask", "number": str(i), "title": "批量"}
            for i in range(501)
        ]
        task_ids = (await db.scalars(insert(Task).returning(Task.id), rows)).all()
        await db.execute(
            insert(Responsibility),
            [{"task_id": t, "unit_id": unit.id, "role": "lead"} for t in task_ids],
        )
        body = (await client.get(URL, params={"limit": 100000})).json()
        assert len(body["items"]) == 500
        assert body["next_cursor"] is not None


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

    async def test_empty_patch_changes_nothing(self, client: AsyncClient, db: AsyncSession) -> None:
        r = await create_responsibility(db, task=await create_task(db), unit=await create_unit(db))
        before = await api.read(client, r.id)
        response = await api.patch(client, r.id, {}, before.headers["etag"])
        assert response.status_code == 200, response.text
        assert response.json() == before.json()
        assert response.headers["etag"] == before.headers["etag"]

    async def test_without_if_match_applies(self, client: AsyncClient, db: AsyncSession) -> None:
        r = await create_responsibility(db, task=await create_task(db), unit=await create_unit(db))
        response = await client.patch(f"{URL}/{r.id}", json={"role": "participant"})
        assert response.status_code == 200, response.text

    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        r = await create_responsibility(
            db, task=await create_task(db), unit=await create_unit(db), role="lead"
        )
        old = (await api.read(client, r.id)).headers["etag"]
        first = await api.patch(client, r.id, {"role": "participant"}, old)
        assert first.status_code == 200
        second = await api.patch(client, r.id, {"role": "lead"}, old)
        assert_problem(second, 412, "precondition_failed")
        got = await api.read(client, r.id)
        assert got.json()["role"] == "participant"
        assert got.headers["etag"] == first.headers["etag"]

    async def test_if_match_star_applies(self, client: AsyncClient, db: AsyncSession) -> None:
        r = await create_responsibility(
            db, task=await create_task(db), unit=await create_unit(db), role="lead"
        )
        response = await api.patch(client, r.id, {"role": "participant"}, "*")
        assert response.status_code == 200, response.text
        assert response.json()["role"] == "participant"

    async def test_null_role_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        r = await create_responsibility(db, task=await create_task(db), unit=await create_unit(db))
        body = assert_problem(
            await api.patch(client, r.id, {"role": None}), 422, "validation_failed"
        )
        assert body["errors"][0]["pointer"] == "#/role"
        assert (await api.read(client, r.id)).json()["role"] == "lead"

    @pytest.mark.parametrize("field", ["task_id", "unit_id", "version", "bogus"])
    async def test_task_and_unit_are_not_patchable(
        self, client: AsyncClient, db: AsyncSession, field: str
    ) -> None:
        r = await create_responsibility(db, task=await create_task(db), unit=await create_unit(db))
        before = (await api.read(client, r.id)).json()
        other = await create_task(db)
        body = assert_problem(
            await api.patch(client, r.id, {field: other.id}), 422, "validation_failed"
        )
        assert body["errors"][0]["pointer"] == f"#/{field}"
        assert (await api.read(client, r.id)).json() == before

    async def test_missing_is_404(self, client: AsyncClient) -> None:
        assert_problem(await api.patch(client, MAX_ID, {"role": "lead"}), 404, "not_found")


class TestDeleteResponsibility:
    async def test_204_then_404(self, client: AsyncClient, db: AsyncSession) -> None:
        r = await create_responsibility(db, task=await create_task(db), unit=await create_unit(db))
        etag = (await api.read(client, r.id)).headers["etag"]
        response = await client.delete(f"{URL}/{r.id}", headers={"If-Match": etag})
        assert response.status_code == 204
        assert_problem(await client.get(f"{URL}/{r.id}"), 404, "not_found")
        assert await api.count(db) == 0

    async def test_stale_if_match_is_412_and_keeps_it(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        r = await create_responsibility(db, task=await create_task(db), unit=await create_unit(db))
        old = (await api.read(client, r.id)).headers["etag"]
        assert (await api.patch(client, r.id, {"role": "participant"}, old)).status_code == 200
        response = await client.delete(f"{URL}/{r.id}", headers={"If-Match": old})
        assert_problem(response, 412, "precondition_failed")
        await api.read(client, r.id)

    async def test_missing_is_404(self, client: AsyncClient) -> None:
        response = await client.delete(f"{URL}/{MAX_ID}", headers={"If-Match": "*"})
        assert_problem(response, 404, "not_found")
