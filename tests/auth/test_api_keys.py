"""Managing keys over the API: shown once, listed without secrets, revoked at once."""

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import ApiKey
from tests.factories import create_unit
from tests.helpers import bearer


class TestCreateKey:
    async def test_secret_is_shown_once_and_works(
        self, client: AsyncClient, app: FastAPI, db: AsyncSession
    ) -> None:
        unit = await create_unit(db)
        created = await client.post(
            "/api/v1/api-keys",
            json={"name": "省科技馆 填报", "role": "reporter", "unit_id": unit.id},
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["key"].startswith("lsk_")
        assert body["key"].startswith(body["prefix"])
        listed = (await client.get("/api/v1/api-keys")).json()["items"]
        assert all("key" not in item for item in listed)
        assert body["key"] not in str(listed)
        async with bearer(app, body["key"]) as reporter:
            assert (await reporter.get("/api/v1/plans")).status_code == 200
        stored = (await db.execute(select(ApiKey).where(ApiKey.id == body["id"]))).scalar_one()
        assert body["key"] not in (stored.key_hash, stored.prefix)

    async def test_answers_like_every_create(self, client: AsyncClient) -> None:
        created = await client.post(
            "/api/v1/api-keys", json={"name": "督查室脚本", "role": "supervisor"}
        )
        assert created.status_code == 201, created.text
        assert created.headers["location"] == f"/api/v1/api-keys/{created.json()['id']}"
        assert created.headers["etag"] == '"1"'  # a key has no version column: its first

    async def test_reporter_needs_a_unit(self, client: AsyncClient) -> None:
        response = await client.post("/api/v1/api-keys", json={"name": "x", "role": "reporter"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "#/unit_id"

    async def test_unknown_unit_and_past_expiry_are_refused(self, client: AsyncClient) -> None:
        unknown = await client.post(
            "/api/v1/api-keys", json={"name": "x", "role": "reporter", "unit_id": 999999}
        )
        past = await client.post(
            "/api/v1/api-keys",
            json={"name": "x", "role": "reader", "expires_at": "2020-01-01T00:00:00Z"},
        )
        naive = await client.post(
            "/api/v1/api-keys",
            json={"name": "x", "role": "reader", "expires_at": "2030-01-01T00:00:00"},
        )
        assert unknown.status_code == past.status_code == naive.status_code == 422

    async def test_idempotency_key_never_stores_the_secret(self, client: AsyncClient) -> None:
        headers = {"Idempotency-Key": "key-create-1"}
        first = await client.post(
            "/api/v1/api-keys", json={"name": "a", "role": "reader"}, headers=headers
        )
        second = await client.post(
            "/api/v1/api-keys", json={"name": "a", "role": "reader"}, headers=headers
        )
        assert first.status_code == second.status_code == 201
        assert first.json()["id"] != second.json()["id"]
        assert "idempotent-replayed" not in second.headers


class TestRevokeKey:
    async def test_revoked_key_is_refused_on_the_next_request(
        self, client: AsyncClient, app: FastAPI
    ) -> None:
        created = (
            await client.post("/api/v1/api-keys", json={"name": "tmp", "role": "reader"})
        ).json()
        async with bearer(app, created["key"]) as temp:
            assert (await temp.get("/api/v1/units")).status_code == 200
            assert (await client.delete(f"/api/v1/api-keys/{created['id']}")).status_code == 204
            assert (await temp.get("/api/v1/units")).status_code == 401
        listed = {k["id"]: k for k in (await client.get("/api/v1/api-keys")).json()["items"]}
        assert listed[created["id"]]["revoked_at"] is not None

    async def test_unknown_key_is_404(self, client: AsyncClient) -> None:
        assert (await client.delete("/api/v1/api-keys/987654")).status_code == 404

    async def test_last_admin_key_cannot_be_revoked(
        self, client: AsyncClient, app: FastAPI
    ) -> None:
        keys = (await client.get("/api/v1/api-keys")).json()["items"]
        [mine] = [k["id"] for k in keys if k["role"] == "admin" and k["revoked_at"] is None]
        response = await client.delete(f"/api/v1/api-keys/{mine}")
        assert response.status_code == 409
        assert "last active admin key" in response.json()["detail"]
        assert (await client.get("/api/v1/units")).status_code == 200  # still works
        other = (await client.post("/api/v1/api-keys", json={"name": "b", "role": "admin"})).json()
        assert (await client.delete(f"/api/v1/api-keys/{mine}")).status_code == 204
        async with bearer(app, other["key"]) as second:
            refused = await second.delete(f"/api/v1/api-keys/{other['id']}")
            assert refused.status_code == 409  # now it is the last one


class TestExpiry:
    async def test_key_expiring_later_works_now(self, client: AsyncClient, app: FastAPI) -> None:
        soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        created = (
            await client.post(
                "/api/v1/api-keys", json={"name": "t", "role": "reader", "expires_at": soon}
            )
        ).json()
        async with bearer(app, created["key"]) as temp:
            assert (await temp.get("/api/v1/units")).status_code == 200
