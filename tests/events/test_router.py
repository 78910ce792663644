"""What the feed refuses, on the test transaction (nothing here needs a commit)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.helpers import assert_problem


class TestBadInput:
    @pytest.mark.parametrize(
        "params",
        [
            {"after": "bm90LWEtY3Vyc29y"},
            {"after": "azI6MSwy,"},
            {"type": "indicator_report.exploded"},
            {"type": "nothing.created"},
            {"type": "indicator_report"},
            {"wait": "31"},
            {"wait": "-1"},
            {"limit": "0"},
            {"colour": "red"},
        ],
    )
    async def test_is_422(self, client: AsyncClient, params: dict[str, str]) -> None:
        assert_problem(await client.get("/api/v1/events", params=params), 422)

    async def test_a_cursor_from_another_list_is_refused(self, client: AsyncClient) -> None:
        page = (await client.get("/api/v1/units", params={"limit": 1})).json()
        await client.post("/api/v1/units", json={"code": "X1", "name": "甲", "kind": "department"})
        await client.post("/api/v1/units", json={"code": "X2", "name": "乙", "kind": "department"})
        page = (await client.get("/api/v1/units", params={"limit": 1})).json()
        assert_problem(
            await client.get("/api/v1/events", params={"after": page["next_cursor"]}), 422
        )


class TestDocument:
    async def test_the_feed_is_documented_with_its_page_and_errors(self, anon: AsyncClient) -> None:
        doc = (await anon.get("/openapi.json")).json()
        op = doc["paths"]["/api/v1/events"]["get"]
        assert op["summary"]
        assert {"401", "403", "422", "503"} <= op["responses"].keys()
        page = doc["components"]["schemas"]["EventPage"]
        assert "next_cursor" in page["required"]
        assert page["examples"]
        assert doc["components"]["schemas"]["EventRead"]["examples"]
