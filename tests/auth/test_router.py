"""Bearer API keys: stored hashed, refused when unknown, expired or revoked."""

from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service
from app.auth.models import ApiKey


class TestAuthentication:
    @pytest.mark.parametrize(
        "header",
        [None, "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000],
    )
    async def test_requests_without_a_valid_key_are_401(
        self, anon: AsyncClient, header: str | None
    ) -> None:
        headers = {"Authorization": header} if header else {}
        response = await anon.get("/api/v1/plans", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")

    async def test_a_valid_key_gets_in(self, client: AsyncClient) -> None:
        assert (await client.get("/api/v1/plans")).status_code == 200

    async def test_expired_key_is_refused(self, anon: AsyncClient, db: AsyncSession) -> None:
        key, secret = await service.create_api_key(db, name="old")
        await db.execute(
            update(ApiKey)
            .where(ApiKey.id == key.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        response = await anon.get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 401

    async def test_revoked_key_is_refused(self, anon: AsyncClient, db: AsyncSession) -> None:
        key, secret = await service.create_api_key(db, name="gone")
        await db.execute(
            update(ApiKey).where(ApiKey.id == key.id).values(revoked_at=datetime.now(UTC))
        )
        response = await anon.get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 401

    async def test_health_probes_need_no_key(self, anon: AsyncClient) -> None:
        assert (await anon.get("/healthz")).status_code == 200


class TestKeyStorage:
    async def test_only_a_hash_of_the_key_is_stored(self, db: AsyncSession) -> None:
        key, secret = await service.create_api_key(db, name="stored")
        row = (await db.execute(select(ApiKey).where(ApiKey.id == key.id))).scalar_one()
        assert secret.startswith("lsk_")
        assert len(secret) > 40
        assert secret not in (row.key_hash, row.prefix, row.name)
        assert row.key_hash == service.hash_key(secret)

    async def test_bootstrap_key_is_created_once(self, db: AsyncSession) -> None:
        await service.ensure_bootstrap_key(db, secret="lsk_bootstrap_for_test")
        await service.ensure_bootstrap_key(db, secret="lsk_bootstrap_for_test")
        rows = (
            await db.execute(
                select(ApiKey).where(ApiKey.key_hash == service.hash_key("lsk_bootstrap_for_test"))
            )
        ).all()
        assert len(rows) == 1
        assert await service.authenticate(db, token="lsk_bootstrap_for_test") is not None
