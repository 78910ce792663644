"""The /api/v1/indicators contract: quantitative targets of tasks."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.indicators.models import Indicator
from app.reports.models import IndicatorReport
from tests.factories import create_indicator, create_plan, create_report, create_task, create_unit
from tests.helpers import MAX_ID, PROBLEM, Collection, assert_problem
from tests.resources import indicator_body as valid_body

api = Collection("/api/v1/indicators", Indicator)
URL = api.url


class TestCreateIndicator:
    async def test_plan_is_taken_from_the_task(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        response = await client.post(URL, json=valid_body(task.id))
        assert response.status_code == 201, response.text
        assert response.json()["plan_id"] == task.plan_id
        stored = await db.scalar(
            select(Indicator.plan_id).where(Indicator.id == response.json()["id"])
        )
        assert stored == task.plan_id

    async def test_plan_id_is_not_writable(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        other_plan = await create_plan(db)
        response = await client.post(URL, json=valid_body(task.id, plan_id=other_plan.id))
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"][0]["pointer"] == "#/plan_id"
        assert await api.count(db) == 0

    async def test_amounts_are_json_numbers(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        response = await client.post(
            URL,
            json=valid_body(task.id, comparator="between", target_value=3, target_max=5.25),
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["target_value"] == 3
        assert body["target_max"] == 5.25
        assert body["baseline"] == 150.5
        for key in ("target_value", "target_max", "baseline"):
            assert isinstance(body[key], int | float)

    async def test_response_shows_what_was_stored(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        # More decimals than the service keeps: the 201 body must still match a later GET.
        task = await create_task(db)
        created = await client.post(
            URL,
            json=valid_body(
                task.id, comparator="between", target_value=2.00005, target_max=3.123456
            ),
        )
        assert created.status_code == 201, created.text
        assert (await client.get(created.headers["location"])).json() == created.json()

    async def test_between_with_range_is_fine(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        response = await client.post(
            URL, json=valid_body(task.id, comparator="between", target_value=3, target_max=3)
        )
        assert response.status_code == 201, response.text

    async def test_about_target_is_fine(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        sent = valid_body(
            task.id,
            comparator="about",
            target_value=6.2,
            unit_label="%",
            source_text="增长6.2%左右",
        )
        response = await client.post(URL, json=sent)
        assert response.status_code == 201, response.text
        body = (await client.get(response.headers["location"])).json()
        assert (body["comparator"], body["target_value"], body["target_max"]) == (
            "about",
            6.2,
            None,
        )

    async def test_duplicate_code_in_plan_is_409(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        first_task = await create_task(db, plan=plan)
        await create_indicator(db, task=first_task, code="WP13-1")
        second_task = await create_task(db, plan=plan)
        response = await client.post(URL, json=valid_body(second_task.id, code="WP13-1"))
        body = assert_problem(response, 409, "conflict")
        assert "WP13-1" in body["detail"]
        assert await api.count(db) == 1

    async def test_same_code_in_another_plan_is_fine(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        await create_indicator(db, task=await create_task(db), code="WP13-1")
        other = await create_task(db)
        response = await client.post(URL, json=valid_body(other.id, code="WP13-1"))
        assert response.status_code == 201, response.text

    async def test_missing_task_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        problem = assert_problem(await client.post(URL, json=valid_body(MAX_ID)), 422)
        assert problem["errors"][0]["pointer"] == "#/task_id"
        assert await api.count(db) == 0


class TestIndicatorRange:
    @pytest.mark.parametrize(
        "overrides",
        [
            pytest.param({"comparator": "between"}, id="between-without-max"),
            pytest.param(
                {"comparator": "between", "target_value": 5, "target_max": 3}, id="max-below-value"
            ),
            pytest.param({"comparator": "gte", "target_max": 300}, id="max-with-gte"),
            pytest.param({"comparator": "eq", "target_max": 300}, id="max-with-eq"),
            pytest.param({"comparator": "about", "target_max": 300}, id="max-with-about"),
        ],
    )
    async def test_inconsistent_range_is_422(
        self, client: AsyncClient, db: AsyncSession, overrides: dict[str, Any]
    ) -> None:
        task = await create_task(db)
        response = await client.post(URL, json=valid_body(task.id, **overrides))
        body = assert_problem(response, 422)
        assert "target_max" in body["detail"]
        assert await api.count(db) == 0

    async def test_patch_to_between_without_max_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        indicator = await create_indicator(db, comparator="gte")
        before = (await api.read(client, indicator.id)).json()
        body = assert_problem(await api.patch(client, indicator.id, {"comparator": "between"}), 422)
        assert "target_max" in body["detail"]
        assert (await api.read(client, indicator.id)).json() == before

    async def test_patch_max_below_value_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        indicator = await create_indicator(db, comparator="between", target_value=3, target_max=5)
        body = assert_problem(await api.patch(client, indicator.id, {"target_max": 2}), 422)
        assert body["errors"][0]["pointer"] == "#/target_max"
        assert (await api.read(client, indicator.id)).json()["target_max"] == 5

    async def test_patch_value_above_max_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        indicator = await create_indicator(db, comparator="between", target_value=3, target_max=5)
        assert_problem(await api.patch(client, indicator.id, {"target_value": 6}), 422)
        assert (await api.read(client, indicator.id)).json()["target_value"] == 3

    async def test_patch_max_onto_gte_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        indicator = await create_indicator(db, comparator="gte")
        assert_problem(await api.patch(client, indicator.id, {"target_max": 500}), 422)
        assert (await api.read(client, indicator.id)).json()["target_max"] is None

    async def test_leaving_between_drops_the_max(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        indicator = await create_indicator(db, comparator="between", target_value=3, target_max=5)
        response = await api.patch(client, indicator.id, {"comparator": "gte"})
        assert response.status_code == 200, response.text
        assert response.json()["target_max"] is None

    async def test_patch_max_onto_about_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        indicator = await create_indicator(db, comparator="about")
        problem = assert_problem(await api.patch(client, indicator.id, {"target_max": 210}), 422)
        assert problem["errors"][0]["pointer"] == "#/target_max"
        assert (await api.read(client, indicator.id)).json()["target_max"] is None

    async def test_from_between_to_about_drops_the_max(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        indicator = await create_indicator(db, comparator="between", target_value=3, target_max=5)
        response = await api.patch(client, indicator.id, {"comparator": "about", "target_value": 4})
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["comparator"], body["target_value"], body["target_max"]) == ("about", 4, None)

    async def test_becoming_between_with_a_max(self, client: AsyncClient, db: AsyncSession) -> None:
        indicator = await create_indicator(db, comparator="gte", target_value=3)
        response = await api.patch(client, indicator.id, {"comparator": "between", "target_max": 5})
        assert response.status_code == 200, response.text
        assert (response.json()["comparator"], response.json()["target_max"]) == ("between", 5)


class TestCreateIndicatorValidation:
    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
    async def test_non_finite_number_is_422(
        self, client: AsyncClient, db: AsyncSession, literal: str
    ) -> None:
        task = await create_task(db)
        raw = (
            f'{{"task_id": {task.id}, "code": "X1", "name": "n", '
            f'"comparator": "gte", "target_value": {literal}}}'
        )
        response = await client.post(
            URL, content=raw.encode(), headers={"content-type": "application/json"}
        )
        assert response.status_code in {400, 422}, response.text
        assert response.headers["content-type"].split(";")[0] == PROBLEM
        assert await api.count(db) == 0

    async def test_unit_label_too_long_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        response = await client.post(URL, json=valid_body(task.id, unit_label="场" * 33))
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"][0]["pointer"].startswith("#/unit_label")


class TestListIndicators:
    async def test_filter_by_task(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        wanted = await create_indicator(db, task=task)
        await create_indicator(db, task=await create_task(db, plan_id=task.plan_id))
        assert await api.list_ids(client, task_id=task.id) == [wanted.id]

    async def test_filter_by_plan(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        first = await create_indicator(db, task=await create_task(db, plan=plan))
        second = await create_indicator(db, task=await create_task(db, plan=plan))
        await create_indicator(db)
        assert await api.list_ids(client, plan_id=plan.id) == [first.id, second.id]

    async def test_filters_combine(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        wanted = await create_indicator(db, task=await create_task(db, plan=plan), code="A")
        await create_indicator(db, task=await create_task(db, plan=plan), code="B")
        await create_indicator(db, code="A")
        assert await api.list_ids(client, plan_id=plan.id, code="A") == [wanted.id]


class TestUpdateIndicator:
    async def test_frequency_is_fixed_once_reported(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        indicator = await create_indicator(db, frequency="quarterly")
        assert (await api.patch(client, indicator.id, {"frequency": "monthly"})).status_code == 200
        back = await api.patch(client, indicator.id, {"frequency": "quarterly"})
        assert back.status_code == 200
        await create_report(db, indicator=indicator, unit=await create_unit(db), period="2024Q1")
        response = await api.patch(client, indicator.id, {"frequency": "monthly"})
        problem = assert_problem(response, 409, "conflict")
        assert "1 reports" in problem["detail"]
        same = await api.patch(client, indicator.id, {"frequency": "quarterly", "name": "新名"})
        assert same.status_code == 200, same.text  # restating it is not a change

    async def test_changes_only_given_fields(self, client: AsyncClient, db: AsyncSession) -> None:
        indicator = await create_indicator(db, target_value=200)
        before = await api.read(client, indicator.id)
        response = await api.patch(
            client, indicator.id, {"target_value": 220}, before.headers["etag"]
        )
        assert response.status_code == 200, response.text
        after = response.json()
        assert after["target_value"] == 220
        for key in ("code", "name", "comparator", "frequency", "plan_id", "task_id"):
            assert after[key] == before.json()[key]
        assert response.headers["etag"] != before.headers["etag"]
        assert (await api.read(client, indicator.id)).json() == after
        stored = await db.scalar(select(Indicator.target_value).where(Indicator.id == indicator.id))
        assert stored == 220

    async def test_response_shows_what_was_stored(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        indicator = await create_indicator(db)
        response = await api.patch(client, indicator.id, {"target_value": 0.1 + 0.2})
        assert response.status_code == 200, response.text
        assert (await api.read(client, indicator.id)).json() == response.json()

    @pytest.mark.parametrize("value", [1e308, 10**30])
    async def test_huge_number_is_422(
        self, client: AsyncClient, db: AsyncSession, value: float
    ) -> None:
        indicator = await create_indicator(db)
        body = assert_problem(await api.patch(client, indicator.id, {"target_value": value}), 422)
        assert body["errors"][0]["pointer"] == "#/target_value"

    async def test_duplicate_code_is_409(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        await create_indicator(db, task=task, code="TAKEN")
        indicator = await create_indicator(db, task=task, code="MINE")
        assert_problem(await api.patch(client, indicator.id, {"code": "TAKEN"}), 409, "conflict")
        assert (await api.read(client, indicator.id)).json()["code"] == "MINE"


class TestDeleteIndicator:
    async def test_indicator_with_reports_is_409(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        indicator = await create_indicator(db)
        report = await create_report(db, indicator=indicator, unit=await create_unit(db))
        response = await client.delete(f"{URL}/{indicator.id}", headers={"If-Match": "*"})
        body = assert_problem(response, 409, "conflict")
        assert "report" in body["detail"]
        await api.read(client, indicator.id)
        still = await db.scalar(
            select(func.count()).select_from(IndicatorReport).where(IndicatorReport.id == report.id)
        )
        assert still == 1


class TestComparatorDocumentation:
    async def test_openapi_says_what_each_comparator_means(self, client: AsyncClient) -> None:
        schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
        for name in ("IndicatorCreate", "IndicatorUpdate", "IndicatorRead"):
            comparator = schemas[name]["properties"]["comparator"]
            assert comparator["enum"] == ["gte", "lte", "eq", "between", "about"], name
            described = comparator["description"]
            for word in ("`gte`", "`lte`", "`eq`", "`between`", "`about`", "左右", "5%"):
                assert word in described, (name, word)
