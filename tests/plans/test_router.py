"""The /api/v1/plans contract, as an integrating system sees it."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.plans.models import Plan
from tests.factories import create_indicator, create_plan, create_report, create_task, create_unit
from tests.helpers import Collection, assert_created, assert_problem
from tests.resources import plan_body as valid_body

api = Collection("/api/v1/plans", Plan)
URL = api.url


class TestCreatePlan:
    async def test_stores_the_plan(self, client: AsyncClient, db: AsyncSession) -> None:
        created = await client.post(URL, json=valid_body(code="STORED-1"))
        stored = await db.scalar(select(Plan.title).where(Plan.code == "STORED-1"))
        assert stored == valid_body()["title"]
        assert created.json()["code"] == "STORED-1"

    async def test_optional_fields_take_defaults(self, client: AsyncClient) -> None:
        response = await client.post(URL, json={"code": "MIN", "title": "最小", "year": 2025})
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "draft"
        assert body["doc_number"] is None

    async def test_duplicate_code_is_409(self, client: AsyncClient, db: AsyncSession) -> None:
        await create_plan(db, code="DUP")
        before = await api.count(db)
        response = await client.post(URL, json=valid_body(code="DUP"))
        body = assert_problem(response, 409, "conflict")
        assert "DUP" in body["detail"]
        assert await api.count(db) == before


class TestTimedSettings:
    async def test_defaults_are_three_days_and_no_reminders(self, client: AsyncClient) -> None:
        body = await assert_created(client, URL, valid_body())
        assert (body["due_soon_days"], body["auto_remind"]) == (3, False)

    @pytest.mark.parametrize("days", [0, 60, None])
    async def test_due_soon_days_from_0_to_60_or_null(
        self, client: AsyncClient, days: int | None
    ) -> None:
        body = await assert_created(client, URL, valid_body(due_soon_days=days))
        assert body["due_soon_days"] == days

    async def test_patch_turns_them_on_and_off(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.patch(
            f"{URL}/{plan.id}", json={"due_soon_days": 7, "auto_remind": True}
        )
        assert response.status_code == 200, response.text
        assert (response.json()["due_soon_days"], response.json()["auto_remind"]) == (7, True)
        response = await client.patch(f"{URL}/{plan.id}", json={"due_soon_days": None})
        assert response.status_code == 200, response.text
        assert (response.json()["due_soon_days"], response.json()["auto_remind"]) == (None, True)

    async def test_patch_out_of_range_is_422_and_changes_nothing(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        response = await client.patch(f"{URL}/{plan.id}", json={"due_soon_days": 61})
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"][0]["pointer"] == "#/due_soon_days"
        assert (await client.get(f"{URL}/{plan.id}")).json()["due_soon_days"] == 3


class TestListPlans:
    async def test_filters_combine(self, client: AsyncClient, db: AsyncSession) -> None:
        wanted = await create_plan(db, year=2025, status="closed")
        await create_plan(db, year=2025, status="active")
        await create_plan(db, year=2024, status="closed")
        assert await api.list_ids(client, year=2025, status="closed") == [wanted.id]


class TestPagePlans:
    async def test_last_full_page_ends_the_walk(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        created = [(await create_plan(db)).id for _ in range(4)]
        first = (await client.get(URL, params={"limit": 2})).json()
        second = (await client.get(URL, params={"limit": 2, "cursor": first["next_cursor"]})).json()
        assert [i["id"] for i in first["items"] + second["items"]] == created
        assert second["next_cursor"] is None


class TestUpdatePlan:
    async def test_year_is_fixed_once_reported(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db, year=2024)
        indicator = await create_indicator(db, task=await create_task(db, plan=plan))
        moved = await client.patch(f"{URL}/{plan.id}", json={"year": 2025})
        assert moved.status_code == 200, moved.text
        await client.patch(f"{URL}/{plan.id}", json={"year": 2024})
        await create_report(db, indicator=indicator, unit=await create_unit(db), period="2024Q1")
        response = await client.patch(f"{URL}/{plan.id}", json={"year": 2025})
        assert_problem(response, 409, "conflict")
        assert await db.scalar(select(Plan.year).where(Plan.id == plan.id)) == 2024

    async def test_changes_only_given_fields(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db, title="旧", doc_number="文号1")
        before = await client.get(f"{URL}/{plan.id}")
        response = await client.patch(
            f"{URL}/{plan.id}", json={"title": "新"}, headers={"If-Match": before.headers["etag"]}
        )
        assert response.status_code == 200, response.text
        after = response.json()
        assert after["title"] == "新"
        untouched = {k: v for k, v in before.json().items() if k not in {"title", "version"}}
        untouched.pop("updated_at")
        assert {k: after[k] for k in untouched} == untouched
        assert response.headers["etag"] != before.headers["etag"]
        assert (await client.get(f"{URL}/{plan.id}")).json() == after
        assert await db.scalar(select(Plan.title).where(Plan.id == plan.id)) == "新"

    async def test_nullable_field_can_be_cleared(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, doc_number="文号1")
        response = await client.patch(
            f"{URL}/{plan.id}", json={"doc_number": None}, headers={"If-Match": "*"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["doc_number"] is None

    async def test_duplicate_code_is_409(self, client: AsyncClient, db: AsyncSession) -> None:
        await create_plan(db, code="TAKEN")
        plan = await create_plan(db, code="MINE")
        response = await client.patch(
            f"{URL}/{plan.id}", json={"code": "TAKEN"}, headers={"If-Match": "*"}
        )
        assert_problem(response, 409, "conflict")
        assert (await client.get(f"{URL}/{plan.id}")).json()["code"] == "MINE"


class TestDeletePlan:
    async def test_plan_with_tasks_is_409(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        await create_task(db, plan=plan)
        response = await client.delete(f"{URL}/{plan.id}", headers={"If-Match": "*"})
        body = assert_problem(response, 409, "conflict")
        assert "task" in body["detail"]
        assert (await client.get(f"{URL}/{plan.id}")).status_code == 200
