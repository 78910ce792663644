"""The rules every plain resource keeps (docs: DESIGN.md "API conventions"), run over each one
in tests/resources.py: create answers 201 with Location and ETag, input models forbid unknown
and fixed fields and NUL bytes, lists are `{items, next_cursor}` with `limit` coerced to 500
and equality filters that keep only what matches,
`If-Match` guards PATCH and DELETE, and a deleted record is gone."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.helpers import MAX_ID, RESOURCES, assert_created, assert_problem
from tests.resources import PLAIN, Resource

STALE = "precondition_failed"
by_resource = pytest.mark.parametrize("r", PLAIN, ids=str)


def test_every_plain_resource_but_reports_is_in_the_table() -> None:
    """Indicator reports have a workflow (draft → approved) and rules of their own."""
    assert tuple(r.path for r in PLAIN) == tuple(p for p in RESOURCES if p != "indicator-reports")


async def count(db: AsyncSession, r: Resource) -> int:
    return int(await db.scalar(select(func.count()).select_from(r.model)) or 0)


async def read(client: AsyncClient, r: Resource, record_id: int) -> Response:
    response = await client.get(f"{r.url}/{record_id}")
    assert response.status_code == 200, response.text
    return response


async def patch(
    client: AsyncClient, r: Resource, record_id: int, body: dict[str, Any], etag: str | None = "*"
) -> Response:
    headers = {} if etag is None else {"If-Match": etag}
    return await client.patch(f"{r.url}/{record_id}", json=body, headers=headers)


class TestCreate:
    @by_resource
    async def test_created_with_location_and_etag(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        body = await assert_created(client, r.url, await r.body(db))
        assert body["created_at"].endswith("Z")
        assert {k: body[k] for k in r.created} == r.created

    @pytest.mark.parametrize(
        ("r", "overrides", "field"),
        [pytest.param(r, *case.values, id=f"{r}-{case.id}") for r in PLAIN for case in r.bad],
    )
    async def test_bad_field_is_422_naming_it(
        self,
        client: AsyncClient,
        db: AsyncSession,
        r: Resource,
        overrides: dict[str, Any],
        field: str,
    ) -> None:
        response = await client.post(r.url, json=await r.body(db) | overrides)
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"][0]["pointer"] == f"#/{field}"
        assert await count(db, r) == 0

    @pytest.mark.parametrize(
        ("r", "field"), [pytest.param(r, f, id=f"{r}-{f}") for r in PLAIN for f in r.required]
    )
    async def test_missing_required_field_is_422(
        self, client: AsyncClient, db: AsyncSession, r: Resource, field: str
    ) -> None:
        body = await r.body(db)
        del body[field]
        problem = assert_problem(await client.post(r.url, json=body), 422, "validation_failed")
        assert f"#/{field}" in [e["pointer"] for e in problem["errors"]]
        assert await count(db, r) == 0

    @by_resource
    async def test_body_that_is_not_an_object_is_422(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        assert_problem(await client.post(r.url, json=[await r.body(db)]), 422)
        assert await count(db, r) == 0

    @by_resource
    async def test_malformed_json_is_a_client_error(self, client: AsyncClient, r: Resource) -> None:
        response = await client.post(
            r.url, content=b'{"code": ', headers={"content-type": "application/json"}
        )
        assert_problem(response, {400, 422})


class TestList:
    @by_resource
    async def test_shape(self, client: AsyncClient, db: AsyncSession, r: Resource) -> None:
        record_id = await r.make(db)
        response = await client.get(r.url)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        assert body["items"] == [(await read(client, r, record_id)).json()]
        assert body["next_cursor"] is None

    @by_resource
    async def test_huge_limit_is_coerced_to_500_and_default_is_50(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        await r.fill(db, 501)
        body = (await client.get(r.url, params={"limit": 100000})).json()
        assert len(body["items"]) == 500
        assert body["next_cursor"] is not None
        rest = await client.get(r.url, params={"limit": 100000, "cursor": body["next_cursor"]})
        assert len(rest.json()["items"]) == 1
        first = (await client.get(r.url)).json()
        assert len(first["items"]) == 50
        assert first["next_cursor"] is not None

    @pytest.mark.parametrize(
        ("r", "params"),
        [
            pytest.param(r, q, id=f"{r}-{'-'.join(f'{k}={v!r}' for k, v in q.items())}")
            for r in PLAIN
            for q in r.bad_queries
        ],
    )
    async def test_bad_query_is_422(
        self, client: AsyncClient, r: Resource, params: dict[str, str]
    ) -> None:
        body = assert_problem(await client.get(r.url, params=params), 422)
        assert next(iter(params)) in body["detail"]

    @pytest.mark.parametrize(
        ("r", "name", "value", "other"),
        [pytest.param(r, *f, id=f"{r}-{f[0]}") for r in PLAIN for f in r.filters],
    )
    async def test_an_equality_filter_lists_the_matching_records_only(
        self, client: AsyncClient, db: AsyncSession, r: Resource, name: str, value: Any, other: Any
    ) -> None:
        wanted = await r.make(db, **{name: value})
        await r.make(db, **{name: other})
        response = await client.get(r.url, params={name: value})
        assert response.status_code == 200, response.text
        assert [item["id"] for item in response.json()["items"]] == [wanted]


class TestRead:
    @by_resource
    async def test_returns_etag(self, client: AsyncClient, db: AsyncSession, r: Resource) -> None:
        record_id = await r.make(db)
        response = await read(client, r, record_id)
        assert response.json()["id"] == record_id
        assert response.headers["etag"]


class TestChange:
    @by_resource
    async def test_without_if_match_applies(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        record_id = await r.make(db)
        name, value, _ = r.change
        response = await patch(client, r, record_id, {name: value}, etag=None)
        assert response.status_code == 200, response.text
        assert (await read(client, r, record_id)).json()[name] == value

    @by_resource
    async def test_if_match_star_applies(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        record_id = await r.make(db)
        name, value, _ = r.change
        response = await patch(client, r, record_id, {name: value}, "*")
        assert response.status_code == 200, response.text
        assert response.json()[name] == value

    @by_resource
    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        record_id = await r.make(db)
        name, first_value, second_value = r.change
        old = (await read(client, r, record_id)).headers["etag"]
        first = await patch(client, r, record_id, {name: first_value}, old)
        assert first.status_code == 200, first.text
        assert first.headers["etag"] != old
        assert_problem(await patch(client, r, record_id, {name: second_value}, old), 412, STALE)
        got = await read(client, r, record_id)
        assert got.json()[name] == first_value
        assert got.headers["etag"] == first.headers["etag"]

    @by_resource
    async def test_if_match_list_naming_current_etag_applies(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        record_id = await r.make(db)
        name, value, _ = r.change
        etag = (await read(client, r, record_id)).headers["etag"]
        response = await patch(client, r, record_id, {name: value}, f'"0", {etag}')
        assert response.status_code == 200, response.text

    @by_resource
    async def test_weak_etag_never_matches(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        record_id = await r.make(db)
        before = await read(client, r, record_id)
        name, value, _ = r.change
        response = await patch(client, r, record_id, {name: value}, f"W/{before.headers['etag']}")
        assert_problem(response, 412, STALE)
        assert (await read(client, r, record_id)).json() == before.json()

    @by_resource
    async def test_no_real_change_keeps_etag(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        record_id = await r.make(db)
        before = await read(client, r, record_id)
        name = r.change[0]
        etag = before.headers["etag"]
        for body in ({}, {name: before.json()[name]}):
            response = await patch(client, r, record_id, body, etag)
            assert response.status_code == 200, response.text
            assert response.json() == before.json()
            assert response.headers["etag"] == etag

    @pytest.mark.parametrize(
        ("r", "field"), [pytest.param(r, f, id=f"{r}-{f}") for r in PLAIN for f in r.not_null]
    )
    async def test_null_for_required_field_is_422(
        self, client: AsyncClient, db: AsyncSession, r: Resource, field: str
    ) -> None:
        record_id = await r.make(db)
        before = (await read(client, r, record_id)).json()
        problem = assert_problem(
            await patch(client, r, record_id, {field: None}), 422, "validation_failed"
        )
        assert problem["errors"][0]["pointer"] == f"#/{field}"
        assert (await read(client, r, record_id)).json() == before

    @pytest.mark.parametrize(
        ("r", "field"),
        [
            pytest.param(r, f, id=f"{r}-{f}")
            for r in PLAIN
            for f in ("id", "version", "created_at", "bogus", *r.fixed)
        ],
    )
    async def test_unknown_or_fixed_field_is_422(
        self, client: AsyncClient, db: AsyncSession, r: Resource, field: str
    ) -> None:
        record_id = await r.make(db)
        before = (await read(client, r, record_id)).json()
        other = await r.make(db)  # a value that names a record all the same
        problem = assert_problem(
            await patch(client, r, record_id, {field: other}), 422, "validation_failed"
        )
        assert problem["errors"][0]["pointer"] == f"#/{field}"
        assert (await read(client, r, record_id)).json() == before

    @by_resource
    async def test_missing_is_404(self, client: AsyncClient, r: Resource) -> None:
        name, value, _ = r.change
        assert_problem(await patch(client, r, MAX_ID, {name: value}), 404, "not_found")


class TestDelete:
    @by_resource
    async def test_204_then_404(self, client: AsyncClient, db: AsyncSession, r: Resource) -> None:
        record_id = await r.make(db)
        etag = (await read(client, r, record_id)).headers["etag"]
        response = await client.delete(f"{r.url}/{record_id}", headers={"If-Match": etag})
        assert response.status_code == 204, response.text
        assert response.content == b""
        assert_problem(await client.get(f"{r.url}/{record_id}"), 404, "not_found")
        again = await client.delete(f"{r.url}/{record_id}", headers={"If-Match": "*"})
        assert_problem(again, 404, "not_found")
        assert await count(db, r) == 0

    @by_resource
    async def test_stale_if_match_is_412_and_keeps_it(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        record_id = await r.make(db)
        old = (await read(client, r, record_id)).headers["etag"]
        name, value, _ = r.change
        assert (await patch(client, r, record_id, {name: value}, old)).status_code == 200
        response = await client.delete(f"{r.url}/{record_id}", headers={"If-Match": old})
        assert_problem(response, 412, STALE)
        await read(client, r, record_id)

    @by_resource
    async def test_without_if_match_deletes(
        self, client: AsyncClient, db: AsyncSession, r: Resource
    ) -> None:
        record_id = await r.make(db)
        response = await client.delete(f"{r.url}/{record_id}")
        assert response.status_code == 204, response.text
        assert await count(db, r) == 0

    @by_resource
    async def test_missing_is_404(self, client: AsyncClient, r: Resource) -> None:
        response = await client.delete(f"{r.url}/{MAX_ID}", headers={"If-Match": "*"})
        assert_problem(response, 404, "not_found")
