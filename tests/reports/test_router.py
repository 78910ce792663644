"""The /api/v1/indicator-reports contract: a unit's value for an indicator and a period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.indicators.models import Indicator
from app.reports.models import IndicatorReport
from tests.factories import (
    create_indicator,
    create_plan,
    create_report,
    create_responsible_unit,
    create_task,
    create_unit,
)
from tests.helpers import MAX_ID, Collection, assert_created, assert_problem

api = Collection("/api/v1/indicator-reports", IndicatorReport)
URL = api.url


async def stored_value(db: AsyncSession, report_id: int) -> Decimal | None:
    return await db.scalar(select(IndicatorReport.value).where(IndicatorReport.id == report_id))


@pytest.fixture
async def quarterly(db: AsyncSession) -> Indicator:
    """A quarterly indicator of a 2024 plan."""
    plan = await create_plan(db, year=2024)
    return await create_indicator(db, task=await create_task(db, plan=plan), frequency="quarterly")


@pytest.fixture
async def unit_id(db: AsyncSession, quarterly: Indicator) -> int:
    """A unit responsible for the quarterly indicator's task."""
    return (await create_responsible_unit(db, indicator=quarterly)).id


def body_for(indicator: Indicator, unit_id: int, /, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "indicator_id": indicator.id,
        "unit_id": unit_id,
        "period": "2024Q2",
        "value": 58.5,
        "note": "二季度接待公众58.5万人次",
    }
    return body | overrides


class TestCreateReport:
    async def test_created_with_location_and_etag(
        self, client: AsyncClient, quarterly: Indicator, unit_id: int
    ) -> None:
        body = await assert_created(client, URL, body_for(quarterly, unit_id))
        assert body["status"] == "submitted"

    async def test_value_is_a_json_number(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, unit_id: int
    ) -> None:
        response = await client.post(URL, json=body_for(quarterly, unit_id, value=1234.5))
        assert response.status_code == 201, response.text
        assert b'"value":1234.5' in response.content.replace(b" ", b"")
        assert await stored_value(db, response.json()["id"]) == Decimal("1234.5")

    async def test_response_shows_what_was_stored(
        self, client: AsyncClient, quarterly: Indicator, unit_id: int
    ) -> None:
        # More decimals than the service keeps: the 201 body must still match a later GET.
        created = await client.post(URL, json=body_for(quarterly, unit_id, value=1.23456))
        assert created.status_code == 201, created.text
        assert (await client.get(created.headers["location"])).json() == created.json()

    async def test_draft_can_be_created(
        self, client: AsyncClient, quarterly: Indicator, unit_id: int
    ) -> None:
        response = await client.post(URL, json=body_for(quarterly, unit_id, status="draft"))
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "draft"

    async def test_submission_time_is_recorded_once(
        self, client: AsyncClient, quarterly: Indicator, unit_id: int
    ) -> None:
        draft = await client.post(URL, json=body_for(quarterly, unit_id, status="draft"))
        assert draft.json()["first_submitted_at"] is None
        rid = draft.json()["id"]
        submitted = await api.patch(client, rid, {"status": "submitted"})
        first = submitted.json()["first_submitted_at"]
        assert first is not None
        back = await api.patch(client, rid, {"status": "draft"})
        again = await api.patch(client, rid, {"status": "submitted", "value": 2})
        assert back.status_code == again.status_code == 200
        assert again.json()["first_submitted_at"] == first  # punctuality is the first time

    async def test_submitted_report_has_its_submission_time(
        self, client: AsyncClient, quarterly: Indicator, unit_id: int
    ) -> None:
        created = await client.post(URL, json=body_for(quarterly, unit_id))
        assert created.json()["first_submitted_at"] is not None

    @pytest.mark.parametrize("status", ["approved", "returned"])
    async def test_review_status_is_not_writable(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, unit_id: int, status: str
    ) -> None:
        response = await client.post(URL, json=body_for(quarterly, unit_id, status=status))
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"][0]["pointer"] == "#/status"
        assert await api.count(db) == 0

    async def test_duplicate_is_409(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        unit = await create_responsible_unit(db, indicator=quarterly)
        await create_report(db, indicator=quarterly, unit=unit, period="2024Q2")
        response = await client.post(URL, json=body_for(quarterly, unit.id, period="2024Q2"))
        body = assert_problem(response, 409, "conflict")
        assert "2024Q2" in body["detail"]
        assert await api.count(db) == 1

    async def test_duplicate_in_another_spelling_is_409(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        unit = await create_responsible_unit(db, indicator=quarterly)
        await create_report(db, indicator=quarterly, unit=unit, period="2024Q2")
        response = await client.post(URL, json=body_for(quarterly, unit.id, period="2024-Q2"))
        assert_problem(response, 409, "conflict")
        assert await api.count(db) == 1

    async def test_other_unit_or_period_is_fine(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        unit = await create_responsible_unit(db, indicator=quarterly)
        await create_report(db, indicator=quarterly, unit=unit, period="2024Q2")
        other_period = await client.post(URL, json=body_for(quarterly, unit.id, period="2024Q3"))
        assert other_period.status_code == 201, other_period.text
        other = await create_responsible_unit(db, indicator=quarterly)
        other_unit = await client.post(URL, json=body_for(quarterly, other.id))
        assert other_unit.status_code == 201, other_unit.text

    @pytest.mark.parametrize("field", ["indicator_id", "unit_id"])
    async def test_missing_reference_is_422(
        self,
        client: AsyncClient,
        db: AsyncSession,
        quarterly: Indicator,
        unit_id: int,
        field: str,
    ) -> None:
        response = await client.post(URL, json=body_for(quarterly, unit_id, **{field: MAX_ID}))
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["pointer"] == f"#/{field}"
        assert await api.count(db) == 0


class TestReportingUnit:
    """Whoever writes it, a report counts toward the target only from a unit with a part in
    the indicator's task."""

    async def test_a_unit_with_no_part_in_the_task_is_422(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        bystander = await create_unit(db)
        response = await client.post(URL, json=body_for(quarterly, bystander.id))
        problem = assert_problem(response, 422, "not_responsible")
        assert problem["errors"] == [
            {"pointer": "#/unit_id", "detail": "not responsible for the indicator's task"}
        ]
        assert await api.count(db) == 0

    async def test_a_member_of_a_responsible_group_reports(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        group = await create_responsible_unit(db, indicator=quarterly, kind="group")
        member = await create_unit(db, parent_id=group.id)
        response = await client.post(URL, json=body_for(quarterly, member.id))
        assert response.status_code == 201, response.text


class TestReportPeriod:
    @pytest.mark.parametrize(
        ("frequency", "given", "stored"),
        [
            ("quarterly", "2024-Q2", "2024Q2"),
            ("quarterly", "2024q2", "2024Q2"),
            ("quarterly", "2024Q2", "2024Q2"),
            ("monthly", "202405", "2024-05"),
            ("monthly", "2024-5", "2024-05"),
            ("monthly", "2024-05", "2024-05"),
            ("semiannual", "2024-H1", "2024H1"),
            ("annual", "2024", "2024"),
        ],
    )
    async def test_is_normalised(
        self,
        client: AsyncClient,
        db: AsyncSession,
        frequency: str,
        given: str,
        stored: str,
    ) -> None:
        indicator = await create_indicator(db, frequency=frequency)
        unit = await create_responsible_unit(db, indicator=indicator)
        response = await client.post(URL, json=body_for(indicator, unit.id, period=given))
        assert response.status_code == 201, response.text
        assert response.json()["period"] == stored
        in_db = await db.scalar(
            select(IndicatorReport.period).where(IndicatorReport.id == response.json()["id"])
        )
        assert in_db == stored

    @pytest.mark.parametrize(
        "period", ["2024Q5", "2024-13", "2024-00", "2024Q0", "2024H3", "24Q1", "Q2", "2024\x00"]
    )
    async def test_invalid_period_is_422(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, unit_id: int, period: str
    ) -> None:
        response = await client.post(URL, json=body_for(quarterly, unit_id, period=period))
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["pointer"] == "#/period"
        assert await api.count(db) == 0

    @pytest.mark.parametrize("period", ["2023Q4", "2025Q1"])
    async def test_outside_plan_year_is_422(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, unit_id: int, period: str
    ) -> None:
        response = await client.post(URL, json=body_for(quarterly, unit_id, period=period))
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["pointer"] == "#/period"
        assert "2024" in problem["detail"]
        assert await api.count(db) == 0

    @pytest.mark.parametrize("period", ["2024-05", "2024", "2024H1"])
    async def test_granularity_must_match_frequency(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, unit_id: int, period: str
    ) -> None:
        response = await client.post(URL, json=body_for(quarterly, unit_id, period=period))
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["pointer"] == "#/period"
        assert "quarterly" in problem["detail"]
        assert await api.count(db) == 0


class TestCreateReportValidation:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param({"bogus": 1}, "bogus", id="unknown-field"),
            pytest.param({"id": 1}, "id", id="id-not-writable"),
            pytest.param({"plan_id": 1}, "plan_id", id="plan-not-writable"),
            pytest.param({"indicator_id": "1"}, "indicator_id", id="id-as-string"),
            pytest.param({"unit_id": 10**30}, "unit_id", id="huge-id"),
            pytest.param({"value": 1e308}, "value", id="huge-float"),
            pytest.param({"value": 10**30}, "value", id="huge-integer"),
            pytest.param({"value": -(10**16)}, "value", id="huge-negative"),
            pytest.param({"value": None}, "value", id="null-value"),
            pytest.param({"value": "58.5"}, "value", id="value-as-string"),
            pytest.param({"value": True}, "value", id="value-as-bool"),
            pytest.param({"period": 2024}, "period", id="period-as-number"),
            pytest.param({"note": "备注\x00"}, "note", id="nul-in-note"),
            pytest.param({"note": "x" * 4001}, "note", id="note-too-long"),
            pytest.param({"status": "final"}, "status", id="unknown-status"),
        ],
    )
    async def test_bad_field_is_422_naming_it(
        self,
        client: AsyncClient,
        db: AsyncSession,
        quarterly: Indicator,
        unit_id: int,
        overrides: dict[str, Any],
        field: str,
    ) -> None:
        response = await client.post(URL, json=body_for(quarterly, unit_id, **overrides))
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"][0]["pointer"] == f"#/{field}"
        assert await api.count(db) == 0

    @pytest.mark.parametrize("field", ["indicator_id", "unit_id", "period", "value"])
    async def test_missing_required_field_is_422(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, unit_id: int, field: str
    ) -> None:
        body = body_for(quarterly, unit_id)
        del body[field]
        problem = assert_problem(await client.post(URL, json=body), 422, "validation_failed")
        assert f"#/{field}" in [e["pointer"] for e in problem["errors"]]
        assert await api.count(db) == 0


class TestReadReport:
    async def test_missing_is_404(self, client: AsyncClient) -> None:
        body = assert_problem(await client.get(f"{URL}/{MAX_ID}"), 404, "not_found")
        assert str(MAX_ID) in body["detail"]

    @pytest.mark.parametrize("bad_id", ["0", str(2**64), "-1", "2024Q2"])
    @pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
    async def test_out_of_range_id_is_422(
        self, client: AsyncClient, method: str, bad_id: str
    ) -> None:
        kwargs: dict[str, Any] = {"json": {"value": 1}} if method == "PATCH" else {}
        response = await client.request(
            method, f"{URL}/{bad_id}", headers={"If-Match": "*"}, **kwargs
        )
        assert_problem(response, 422, "validation_failed")

    async def test_stored_value_reads_as_number(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(
            db, indicator=quarterly, unit=await create_unit(db), value=Decimal("12.25")
        )
        body = (await api.read(client, report.id)).json()
        assert body["value"] == 12.25
        assert isinstance(body["value"], float)


class TestListReports:
    async def test_shape(self, client: AsyncClient, db: AsyncSession, quarterly: Indicator) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        body = (await client.get(URL)).json()
        assert set(body) == {"items", "next_cursor"}
        assert [item["id"] for item in body["items"]] == [report.id]
        assert body["next_cursor"] is None

    async def test_filter_by_indicator(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        unit = await create_unit(db)
        wanted = await create_report(db, indicator=quarterly, unit=unit)
        await create_report(db, indicator=await create_indicator(db), unit=unit)
        assert await api.list_ids(client, indicator_id=quarterly.id) == [wanted.id]

    async def test_filter_by_unit(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        unit = await create_unit(db)
        wanted = await create_report(db, indicator=quarterly, unit=unit)
        await create_report(db, indicator=quarterly, unit=await create_unit(db))
        assert await api.list_ids(client, unit_id=unit.id) == [wanted.id]

    @pytest.mark.parametrize("spelling", ["2024Q2", "2024-Q2", "2024q2"])
    async def test_filter_by_period_in_any_spelling(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, spelling: str
    ) -> None:
        unit = await create_unit(db)
        wanted = await create_report(db, indicator=quarterly, unit=unit, period="2024Q2")
        await create_report(db, indicator=quarterly, unit=unit, period="2024Q1")
        assert await api.list_ids(client, period=spelling) == [wanted.id]

    async def test_filter_by_month_in_compact_spelling(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        indicator = await create_indicator(db, frequency="monthly")
        unit = await create_unit(db)
        wanted = await create_report(db, indicator=indicator, unit=unit, period="2024-05")
        await create_report(db, indicator=indicator, unit=unit, period="2024-06")
        assert await api.list_ids(client, period="202405") == [wanted.id]

    async def test_filter_by_status(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        wanted = await create_report(
            db, indicator=quarterly, unit=await create_unit(db), status="returned"
        )
        await create_report(db, indicator=quarterly, unit=await create_unit(db), status="approved")
        assert await api.list_ids(client, status="returned") == [wanted.id]

    async def test_filter_by_plan(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        unit = await create_unit(db)
        same_plan = await create_indicator(
            db, task=await create_task(db, plan_id=quarterly.plan_id)
        )
        first = await create_report(db, indicator=quarterly, unit=unit)
        second = await create_report(db, indicator=same_plan, unit=unit)
        await create_report(db, indicator=await create_indicator(db), unit=unit)
        assert await api.list_ids(client, plan_id=quarterly.plan_id) == [first.id, second.id]

    async def test_filters_combine(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        unit = await create_unit(db)
        wanted = await create_report(db, indicator=quarterly, unit=unit, period="2024Q3")
        await create_report(db, indicator=quarterly, unit=unit, period="2024Q4")
        await create_report(db, indicator=quarterly, unit=await create_unit(db), period="2024Q3")
        assert await api.list_ids(client, unit_id=unit.id, period="2024-Q3") == [wanted.id]

    @pytest.mark.parametrize(
        "params",
        [
            {"bogus": "1"},
            {"period": "2024Q5"},
            {"period": "2024-13"},
            {"status": "final"},
            {"plan_id": "0"},
            {"indicator_id": str(2**64)},
        ],
    )
    async def test_bad_query_is_422(self, client: AsyncClient, params: dict[str, str]) -> None:
        body = assert_problem(await client.get(URL, params=params), 422)
        assert next(iter(params)) in body["detail"]


class TestPageReports:
    async def test_huge_limit_is_coerced_to_500(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        rows = [{"code": f"BU{i}", "name": "批量", "kind": "society"} for i in range(501)]
        from app.units.models import Unit

        unit_ids = (await db.scalars(insert(Unit).returning(Unit.id), rows)).all()
        await db.execute(
            insert(IndicatorReport),
            [
                {
                    "indicator_id": quarterly.id,
                    "unit_id": u,
                    "period": "2024Q1",
                    "period_start": date(2024, 1, 1),
                    "period_end": date(2024, 3, 31),
                    "value": 1,
                }
                for u in unit_ids
            ],
        )
        body = (await client.get(URL, params={"limit": 100000})).json()
        assert len(body["items"]) == 500
        assert body["next_cursor"] is not None


class TestUpdateReport:
    async def test_changes_only_given_fields(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(
            db, indicator=quarterly, unit=await create_unit(db), value=Decimal(50), note="原"
        )
        before = await api.read(client, report.id)
        response = await api.patch(client, report.id, {"value": 61}, before.headers["etag"])
        assert response.status_code == 200, response.text
        after = response.json()
        assert after["value"] == 61
        for key in ("note", "period", "status", "indicator_id", "unit_id"):
            assert after[key] == before.json()[key]
        assert response.headers["etag"] != before.headers["etag"]
        assert (await api.read(client, report.id)).json() == after
        assert await stored_value(db, report.id) == 61

    async def test_without_if_match_applies(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        response = await client.patch(f"{URL}/{report.id}", json={"value": 1})
        assert response.status_code == 200, response.text

    async def test_response_shows_what_was_stored(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        response = await api.patch(client, report.id, {"value": 0.1 + 0.2})
        assert response.status_code == 200, response.text
        assert (await api.read(client, report.id)).json() == response.json()

    async def test_draft_can_be_submitted(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(
            db, indicator=quarterly, unit=await create_unit(db), status="draft"
        )
        response = await api.patch(client, report.id, {"status": "submitted"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "submitted"

    async def test_approved_report_is_locked(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(
            db, indicator=quarterly, unit=await create_unit(db), status="approved", value=50
        )
        before = await api.read(client, report.id)
        response = await api.patch(client, report.id, {"value": 99}, before.headers["etag"])
        body = assert_problem(response, 409, "conflict")
        assert "approved" in body["detail"]
        assert await stored_value(db, report.id) == 50
        after = await api.read(client, report.id)
        assert after.json() == before.json()
        assert after.headers["etag"] == before.headers["etag"]

    async def test_correcting_a_returned_report_resubmits_it(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(
            db, indicator=quarterly, unit=await create_unit(db), status="returned"
        )
        response = await api.patch(client, report.id, {"value": 55, "note": "更正"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "submitted"
        assert response.json()["value"] == 55
        stored = await db.scalar(
            select(IndicatorReport.status).where(IndicatorReport.id == report.id)
        )
        assert stored == "submitted"

    @pytest.mark.parametrize("status", ["approved", "returned"])
    async def test_review_status_is_not_writable(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, status: str
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        body = assert_problem(await api.patch(client, report.id, {"status": status}), 422)
        assert body["errors"][0]["pointer"] == "#/status"
        assert (await api.read(client, report.id)).json()["status"] == "submitted"

    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        old = (await api.read(client, report.id)).headers["etag"]
        first = await api.patch(client, report.id, {"value": 70}, old)
        assert first.status_code == 200
        second = await api.patch(client, report.id, {"value": 80}, old)
        assert_problem(second, 412, "precondition_failed")
        got = await api.read(client, report.id)
        assert got.json()["value"] == 70
        assert got.headers["etag"] == first.headers["etag"]

    async def test_if_match_star_applies(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        response = await api.patch(client, report.id, {"note": "补充"}, "*")
        assert response.status_code == 200, response.text
        assert response.json()["note"] == "补充"

    @pytest.mark.parametrize("field", ["value", "note", "status"])
    async def test_null_for_required_field_is_422(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, field: str
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        before = (await api.read(client, report.id)).json()
        body = assert_problem(await api.patch(client, report.id, {field: None}), 422)
        assert body["errors"][0]["pointer"] == f"#/{field}"
        assert (await api.read(client, report.id)).json() == before

    @pytest.mark.parametrize("field", ["period", "indicator_id", "unit_id", "bogus"])
    async def test_fixed_or_unknown_field_is_422(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, field: str
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        before = (await api.read(client, report.id)).json()
        body = assert_problem(await api.patch(client, report.id, {field: "2024Q3"}), 422)
        assert body["errors"][0]["pointer"] == f"#/{field}"
        assert (await api.read(client, report.id)).json() == before

    @pytest.mark.parametrize("value", [1e308, 10**30])
    async def test_huge_value_is_422(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator, value: float
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        body = assert_problem(await api.patch(client, report.id, {"value": value}), 422)
        assert body["errors"][0]["pointer"] == "#/value"

    async def test_missing_is_404(self, client: AsyncClient) -> None:
        assert_problem(await api.patch(client, MAX_ID, {"value": 1}), 404, "not_found")


class TestDeleteReport:
    async def test_204_then_404(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        etag = (await api.read(client, report.id)).headers["etag"]
        response = await client.delete(f"{URL}/{report.id}", headers={"If-Match": etag})
        assert response.status_code == 204
        assert_problem(await client.get(f"{URL}/{report.id}"), 404, "not_found")
        assert await api.count(db) == 0

    async def test_stale_if_match_is_412_and_keeps_it(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(db, indicator=quarterly, unit=await create_unit(db))
        old = (await api.read(client, report.id)).headers["etag"]
        assert (await api.patch(client, report.id, {"note": "改"}, old)).status_code == 200
        response = await client.delete(f"{URL}/{report.id}", headers={"If-Match": old})
        assert_problem(response, 412, "precondition_failed")
        await api.read(client, report.id)

    async def test_approved_report_is_409(
        self, client: AsyncClient, db: AsyncSession, quarterly: Indicator
    ) -> None:
        report = await create_report(
            db, indicator=quarterly, unit=await create_unit(db), status="approved"
        )
        response = await client.delete(f"{URL}/{report.id}", headers={"If-Match": "*"})
        body = assert_problem(response, 409, "conflict")
        assert "approved" in body["detail"]
        assert await api.count(db) == 1

    async def test_missing_is_404(self, client: AsyncClient) -> None:
        response = await client.delete(f"{URL}/{MAX_ID}", headers={"If-Match": "*"})
        assert_problem(response, 404, "not_found")
