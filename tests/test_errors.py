"""Bad input of every kind gets a 4xx problem that says what is wrong, and stores nothing."""

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.units.models import Unit
from tests.factories import create_unit
from tests.helpers import PROBLEM, assert_problem


async def unit_count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Unit)) or 0)


class TestMalformedBodies:
    @pytest.mark.parametrize(
        ("content", "status"),
        [
            (b"{not json", 422),
            (b"\xff\xfe\x00garbage", {400, 422}),
            (b"[1, 2, 3]", 422),
            (b'"just a string"', 422),
            (b"", 422),
        ],
    )
    async def test_unreadable_body_is_a_problem_and_nothing_is_stored(
        self, client: AsyncClient, db: AsyncSession, content: bytes, status: int | set[int]
    ) -> None:
        before = await unit_count(db)
        response = await client.post(
            "/api/v1/units", content=content, headers={"content-type": "application/json"}
        )
        assert_problem(response, status)
        assert await unit_count(db) == before

    async def test_nul_byte_in_a_string_is_refused(self, client: AsyncClient) -> None:
        response = await client.post("/api/v1/units", json={"code": "X1", "name": "办\x00公室"})
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"][0]["pointer"] == "#/name"
        assert "NUL" in body["errors"][0]["detail"]

    async def test_nul_byte_in_a_query_parameter_is_refused(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units", params={"q": "a\x00b"})
        assert_problem(response, 422, "validation_failed")

    async def test_unknown_field_is_named(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/units", json={"code": "X2", "name": "n", "colour": "red"}
        )
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"] == [
            {"pointer": "#/colour", "detail": "Extra inputs are not permitted"}
        ]

    async def test_overlong_string_is_refused(self, client: AsyncClient) -> None:
        response = await client.post("/api/v1/units", json={"code": "X3", "name": "长" * 201})
        assert_problem(response, 422)

    @pytest.mark.parametrize("value", [10**30, 1e308, -(10**20)])
    async def test_enormous_numbers_are_refused(self, client: AsyncClient, value: float) -> None:
        response = await client.post(
            "/api/v1/plans", json={"code": "PX", "title": "t", "year": value}
        )
        assert_problem(response, 422)

    async def test_huge_json_integer_is_refused_not_crashing(self, client: AsyncClient) -> None:
        content = b'{"code": "PY", "title": "t", "year": ' + b"9" * 5000 + b"}"
        response = await client.post(
            "/api/v1/plans", content=content, headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 422)
        assert response.headers["content-type"] == PROBLEM

    @pytest.mark.parametrize("bad", ["2024-02-30", "2024-13-01", "yesterday", 1700000000])
    async def test_bad_dates_are_refused(self, client: AsyncClient, bad: object) -> None:
        response = await client.post(
            "/api/v1/plans", json={"code": "PZ", "title": "t", "year": 2024, "issued_on": bad}
        )
        body = assert_problem(response, 422)
        assert body["errors"][0]["pointer"] == "#/issued_on"


class TestPathAndQuery:
    @pytest.mark.parametrize("bad_id", ["0", "-1", str(2**64), "abc", "1.5"])
    async def test_bad_ids_are_422(self, client: AsyncClient, bad_id: str) -> None:
        assert_problem(await client.get(f"/api/v1/units/{bad_id}"), 422)

    async def test_missing_record_is_404_naming_it(self, client: AsyncClient) -> None:
        body = assert_problem(await client.get("/api/v1/units/987654"), 404, "not_found")
        assert "987654" in body["detail"]

    async def test_unknown_route_is_a_problem(self, client: AsyncClient) -> None:
        assert_problem(await client.get("/api/v1/nothing-here"), 404)

    async def test_wrong_method_is_a_problem(self, client: AsyncClient) -> None:
        assert_problem(await client.put("/api/v1/units", json={}), 405)

    async def test_unknown_query_parameter_is_refused(self, client: AsyncClient) -> None:
        body = assert_problem(await client.get("/api/v1/units", params={"nmae": "x"}), 422)
        assert body["errors"][0]["parameter"] == "nmae"


class TestConflictsLeaveDataIntact:
    async def test_duplicate_code_is_409_and_the_original_is_unchanged(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        unit = await create_unit(db, code="DUP", name="原名")
        response = await client.post("/api/v1/units", json={"code": "DUP", "name": "新名"})
        body = assert_problem(response, 409, "conflict")
        assert "DUP" in body["detail"]
        got = (await client.get(f"/api/v1/units/{unit.id}")).json()
        assert got["name"] == "原名"

    async def test_a_failed_write_rolls_back_everything_it_did(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        # The unit update is flushed before the cycle check fails: nothing may remain of it.
        parent = await create_unit(db, code="PA", name="上级")
        child = await create_unit(db, code="CH", name="下级", parent_id=parent.id)
        response = await client.patch(
            f"/api/v1/units/{parent.id}", json={"name": "改名", "parent_id": child.id}
        )
        assert_problem(response, 422)
        got = (await client.get(f"/api/v1/units/{parent.id}")).json()
        assert got["name"] == "上级"
        assert got["parent_id"] is None


class TestWholeNumbers:
    """The OpenAPI `integer` type accepts 2024.0 (JSON has one number type, and some systems
    write every number with a point); a fraction, a string or a boolean is still refused."""

    async def test_integral_floats_are_read_as_integers(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        group = await create_unit(db, kind="group")
        unit = await client.post(
            "/api/v1/units", json={"code": "W1", "name": "甲", "parent_id": float(group.id)}
        )
        assert unit.status_code == 201, unit.text
        assert unit.json()["parent_id"] == group.id
        plan = await client.post(
            "/api/v1/plans",
            json={"code": "W-P", "title": "t", "year": 2024.0, "report_grace_days": 15.0},
        )
        assert plan.status_code == 201, plan.text
        assert (plan.json()["year"], plan.json()["report_grace_days"]) == (2024, 15)

    @pytest.mark.parametrize("year", [2024.5, "2024", True, 2024.000001])
    async def test_anything_else_is_not_an_integer(self, client: AsyncClient, year: object) -> None:
        response = await client.post(
            "/api/v1/plans", json={"code": "W-Q", "title": "t", "year": year}
        )
        assert assert_problem(response, 422)["errors"][0]["pointer"] == "#/year"
