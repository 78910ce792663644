"""The /api/v1/plans contract, as an integrating system sees it."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.plans.models import Plan
from tests.factories import create_indicator, create_plan, create_report, create_task, create_unit
from tests.helpers import MAX_ID, Collection, assert_created, assert_problem

api = Collection("/api/v1/plans", Plan)
URL = api.url


def valid_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "HNAST-2024",
        "title": "河南省科协2024年重点工作和工作要点",
        "year": 2024,
        "doc_number": "豫科协办发〔2024〕9号",
        "issuer": "河南省科学技术协会办公室",
        "issued_on": "2024-03-01",
        "status": "active",
    }
    return body | overrides


async def current_etag(client: AsyncClient, plan_id: int) -> str:
    response = await client.get(f"{URL}/{plan_id}")
    assert response.status_code == 200, response.text
    return response.headers["etag"]


class TestCreatePlan:
    async def test_created_with_location_and_etag(self, client: AsyncClient) -> None:
        body = await assert_created(client, URL, valid_body())
        assert body["created_at"].endswith("Z")

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


class TestCreatePlanValidation:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param({"bogus": 1}, "bogus", id="unknown-field"),
            pytest.param({"id": 99}, "id", id="id-not-writable"),
            pytest.param({"version": 5}, "version", id="version-not-writable"),
            pytest.param({"year": "2024"}, "year", id="year-as-string"),
            pytest.param({"year": 2024.5}, "year", id="year-as-fraction"),
            pytest.param({"title": 123}, "title", id="title-as-number"),
            pytest.param({"status": "finished"}, "status", id="unknown-status"),
            pytest.param({"code": "has space"}, "code", id="code-pattern"),
            pytest.param({"issued_on": 20240301}, "issued_on", id="date-as-number"),
            pytest.param({"issued_on": "2024-02-30"}, "issued_on", id="impossible-date"),
            pytest.param({"title": "a\x00b"}, "title", id="nul-in-title"),
            pytest.param({"issuer": "\x00"}, "issuer", id="nul-in-issuer"),
            pytest.param({"year": 10**30}, "year", id="huge-integer"),
            pytest.param({"year": 1e308}, "year", id="huge-float"),
            pytest.param({"report_grace_days": 10**30}, "report_grace_days", id="huge-grace"),
            pytest.param({"due_soon_days": 61}, "due_soon_days", id="due-soon-over-60"),
            pytest.param({"due_soon_days": -1}, "due_soon_days", id="due-soon-negative"),
            pytest.param({"due_soon_days": "3"}, "due_soon_days", id="due-soon-as-string"),
            pytest.param({"due_soon_days": 2.5}, "due_soon_days", id="due-soon-fraction"),
            pytest.param({"auto_remind": "maybe"}, "auto_remind", id="auto-remind-not-bool"),
            pytest.param({"title": ""}, "title", id="empty-title"),
            pytest.param({"title": "x" * 501}, "title", id="title-too-long"),
        ],
    )
    async def test_bad_field_is_422_naming_it(
        self, client: AsyncClient, db: AsyncSession, overrides: dict[str, Any], field: str
    ) -> None:
        response = await client.post(URL, json=valid_body(**overrides))
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"][0]["pointer"] == f"#/{field}"
        assert await api.count(db) == 0

    @pytest.mark.parametrize("field", ["code", "title", "year"])
    async def test_missing_required_field_is_422(
        self, client: AsyncClient, db: AsyncSession, field: str
    ) -> None:
        body = valid_body()
        del body[field]
        problem = assert_problem(await client.post(URL, json=body), 422, "validation_failed")
        assert f"#/{field}" in [e["pointer"] for e in problem["errors"]]
        assert await api.count(db) == 0

    async def test_body_that_is_not_an_object_is_422(self, client: AsyncClient) -> None:
        assert_problem(await client.post(URL, json=[valid_body()]), 422)

    async def test_malformed_json_is_a_client_error(self, client: AsyncClient) -> None:
        response = await client.post(
            URL, content=b'{"code": ', headers={"content-type": "application/json"}
        )
        assert response.status_code in {400, 422}
        assert_problem(response, response.status_code)


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

    async def test_auto_remind_cannot_be_null(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.patch(f"{URL}/{plan.id}", json={"auto_remind": None})
        assert_problem(response, 422, "validation_failed")


class TestReadPlan:
    async def test_returns_etag(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db, title="读取")
        response = await client.get(f"{URL}/{plan.id}")
        assert response.status_code == 200
        assert response.json()["title"] == "读取"
        assert response.headers["etag"]


class TestListPlans:
    async def test_shape(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.get(URL)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        assert [item["id"] for item in body["items"]] == [plan.id]
        assert body["next_cursor"] is None

    async def test_filter_by_code(self, client: AsyncClient, db: AsyncSession) -> None:
        wanted = await create_plan(db, code="WANTED")
        await create_plan(db, code="OTHER")
        assert await api.list_ids(client, code="WANTED") == [wanted.id]

    async def test_filter_by_year(self, client: AsyncClient, db: AsyncSession) -> None:
        wanted = await create_plan(db, year=2025)
        await create_plan(db, year=2024)
        assert await api.list_ids(client, year=2025) == [wanted.id]

    async def test_filter_by_status(self, client: AsyncClient, db: AsyncSession) -> None:
        wanted = await create_plan(db, status="closed")
        await create_plan(db, status="active")
        assert await api.list_ids(client, status="closed") == [wanted.id]

    async def test_filters_combine(self, client: AsyncClient, db: AsyncSession) -> None:
        wanted = await create_plan(db, year=2025, status="closed")
        await create_plan(db, year=2025, status="active")
        await create_plan(db, year=2024, status="closed")
        assert await api.list_ids(client, year=2025, status="closed") == [wanted.id]

    @pytest.mark.parametrize(
        "params",
        [
            {"bogus": "1"},
            {"status": "finished"},
            {"year": "next"},
            {"limit": "0"},
            {"limit": "-5"},
            {"code": "a\x00"},
        ],
    )
    async def test_bad_query_is_422(self, client: AsyncClient, params: dict[str, str]) -> None:
        body = assert_problem(await client.get(URL, params=params), 422)
        assert next(iter(params)) in body["detail"]


class TestPagePlans:
    async def test_last_full_page_ends_the_walk(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        created = [(await create_plan(db)).id for _ in range(4)]
        first = (await client.get(URL, params={"limit": 2})).json()
        second = (await client.get(URL, params={"limit": 2, "cursor": first["next_cursor"]})).json()
        assert [i["id"] for i in first["items"] + second["items"]] == created
        assert second["next_cursor"] is None

    async def test_huge_limit_is_coerced_to_500(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        await db.execute(
            insert(Plan),
            [{"code": f"BULK{i}", "title": "批量", "year": 2024} for i in range(501)],
        )
        response = await client.get(URL, params={"limit": 100000})
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) == 500
        assert body["next_cursor"] is not None
        rest = await client.get(URL, params={"limit": 100000, "cursor": body["next_cursor"]})
        assert len(rest.json()["items"]) == 1

    async def test_default_limit_is_50(self, client: AsyncClient, db: AsyncSession) -> None:
        await db.execute(
            insert(Plan), [{"code": f"B{i}", "title": "批量", "year": 2024} for i in range(51)]
        )
        body = (await client.get(URL)).json()
        assert len(body["items"]) == 50
        assert body["next_cursor"] is not None


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

    async def test_without_if_match_applies(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.patch(f"{URL}/{plan.id}", json={"title": "无条件"})
        assert response.status_code == 200, response.text

    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, title="原")
        old = await current_etag(client, plan.id)
        first = await client.patch(
            f"{URL}/{plan.id}", json={"title": "第一次"}, headers={"If-Match": old}
        )
        assert first.status_code == 200
        second = await client.patch(
            f"{URL}/{plan.id}", json={"title": "第二次"}, headers={"If-Match": old}
        )
        assert_problem(second, 412, "precondition_failed")
        got = await client.get(f"{URL}/{plan.id}")
        assert got.json()["title"] == "第一次"
        assert got.headers["etag"] == first.headers["etag"]

    async def test_if_match_list_naming_current_etag_applies(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        etag = await current_etag(client, plan.id)
        response = await client.patch(
            f"{URL}/{plan.id}", json={"issuer": "办公室"}, headers={"If-Match": f'"0", {etag}'}
        )
        assert response.status_code == 200, response.text

    async def test_weak_etag_never_matches(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db, issuer="原")
        etag = await current_etag(client, plan.id)
        response = await client.patch(
            f"{URL}/{plan.id}", json={"issuer": "新"}, headers={"If-Match": f"W/{etag}"}
        )
        assert_problem(response, 412, "precondition_failed")
        assert (await client.get(f"{URL}/{plan.id}")).json()["issuer"] == "原"

    async def test_if_match_star_applies(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.patch(
            f"{URL}/{plan.id}", json={"status": "closed"}, headers={"If-Match": "*"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "closed"

    @pytest.mark.parametrize("field", ["title", "code", "year", "status", "report_grace_days"])
    async def test_null_for_required_field_is_422(
        self, client: AsyncClient, db: AsyncSession, field: str
    ) -> None:
        plan = await create_plan(db)
        before = await client.get(f"{URL}/{plan.id}")
        response = await client.patch(
            f"{URL}/{plan.id}", json={field: None}, headers={"If-Match": "*"}
        )
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"][0]["pointer"] == f"#/{field}"
        assert (await client.get(f"{URL}/{plan.id}")).json() == before.json()

    @pytest.mark.parametrize("field", ["id", "version", "created_at", "bogus"])
    async def test_unknown_or_readonly_field_is_422(
        self, client: AsyncClient, db: AsyncSession, field: str
    ) -> None:
        plan = await create_plan(db)
        response = await client.patch(
            f"{URL}/{plan.id}", json={field: 1}, headers={"If-Match": "*"}
        )
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"][0]["pointer"] == f"#/{field}"

    async def test_duplicate_code_is_409(self, client: AsyncClient, db: AsyncSession) -> None:
        await create_plan(db, code="TAKEN")
        plan = await create_plan(db, code="MINE")
        response = await client.patch(
            f"{URL}/{plan.id}", json={"code": "TAKEN"}, headers={"If-Match": "*"}
        )
        assert_problem(response, 409, "conflict")
        assert (await client.get(f"{URL}/{plan.id}")).json()["code"] == "MINE"

    async def test_missing_plan_is_404(self, client: AsyncClient) -> None:
        response = await client.patch(
            f"{URL}/{MAX_ID}", json={"title": "x"}, headers={"If-Match": "*"}
        )
        assert_problem(response, 404, "not_found")

    async def test_no_real_change_keeps_etag(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db, title="同")
        etag = await current_etag(client, plan.id)
        response = await client.patch(
            f"{URL}/{plan.id}", json={"title": "同"}, headers={"If-Match": etag}
        )
        assert response.status_code == 200
        assert response.headers["etag"] == etag


class TestDeletePlan:
    async def test_204_then_404(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        etag = await current_etag(client, plan.id)
        response = await client.delete(f"{URL}/{plan.id}", headers={"If-Match": etag})
        assert response.status_code == 204
        assert response.content == b""
        assert_problem(await client.get(f"{URL}/{plan.id}"), 404, "not_found")
        assert_problem(
            await client.delete(f"{URL}/{plan.id}", headers={"If-Match": "*"}), 404, "not_found"
        )

    async def test_stale_if_match_is_412_and_keeps_plan(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        old = await current_etag(client, plan.id)
        changed = await client.patch(
            f"{URL}/{plan.id}", json={"title": "改过"}, headers={"If-Match": old}
        )
        assert changed.status_code == 200
        response = await client.delete(f"{URL}/{plan.id}", headers={"If-Match": old})
        assert_problem(response, 412, "precondition_failed")
        assert (await client.get(f"{URL}/{plan.id}")).status_code == 200

    async def test_without_if_match_deletes(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.delete(f"{URL}/{plan.id}")
        assert response.status_code == 204, response.text

    async def test_plan_with_tasks_is_409(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        await create_task(db, plan=plan)
        response = await client.delete(f"{URL}/{plan.id}", headers={"If-Match": "*"})
        body = assert_problem(response, 409, "conflict")
        assert "task" in body["detail"]
        assert (await client.get(f"{URL}/{plan.id}")).status_code == 200
