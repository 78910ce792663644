"""Limits that keep the service up: per-key rate limit (shared by replicas), body size."""

from fastapi import FastAPI
from httpx import AsyncClient

from app.settings import Settings


class TestRateLimit:
    async def test_a_key_over_its_minute_gets_429_with_retry_after(
        self, app: FastAPI, client: AsyncClient
    ) -> None:
        app.state.settings = Settings(rate_limit_per_minute=3)
        # 7 requests cross at most one minute boundary, so at least one must be refused.
        statuses = []
        for _ in range(7):
            response = await client.get("/api/v1/units")
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert response.headers["content-type"] == "application/problem+json"
                assert 1 <= int(response.headers["retry-after"]) <= 60
        assert statuses[0] == 200
        assert 429 in statuses

    async def test_the_count_lives_in_postgres_not_in_the_process(
        self, app: FastAPI, client: AsyncClient, connection: object, admin_key: str
    ) -> None:
        from sqlalchemy import text

        from app.auth.service import hash_key

        app.state.settings = Settings(rate_limit_per_minute=100)
        await client.get("/api/v1/units")
        await client.get("/api/v1/units")
        hits = await connection.scalar(  # type: ignore[attr-defined]
            text(
                "SELECT sum(w.hits) FROM rate_limit_windows w "
                "JOIN api_keys k ON k.id = w.api_key_id WHERE k.key_hash = :hash"
            ),
            {"hash": hash_key(admin_key)},
        )
        assert hits == 2


class TestBodySize:
    async def test_oversized_body_is_413_problem(self, client: AsyncClient, app: FastAPI) -> None:
        from app.main import create_app

        small = create_app(settings=Settings(max_body_bytes=1024))
        small.dependency_overrides = app.dependency_overrides
        small.state.engine = app.state.engine
        small.state.session_options = app.state.session_options
        from httpx import ASGITransport

        async with AsyncClient(
            transport=ASGITransport(app=small),
            base_url="http://test",
            headers=dict(client.headers),
        ) as limited:
            response = await limited.post("/api/v1/units", json={"code": "BIG", "name": "x" * 4000})
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"


class TestStreamedBody:
    async def test_chunked_body_over_the_limit_is_413(
        self, client: AsyncClient, app: FastAPI
    ) -> None:
        from httpx import ASGITransport

        from app.main import create_app

        small = create_app(settings=Settings(max_body_bytes=1024))
        small.dependency_overrides = app.dependency_overrides
        small.state.engine = app.state.engine
        small.state.session_options = app.state.session_options

        async def chunks():  # type: ignore[no-untyped-def]
            yield b'{"code": "BIG", "name": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'

        async with AsyncClient(
            transport=ASGITransport(app=small), base_url="http://test", headers=dict(client.headers)
        ) as limited:
            response = await limited.post(
                "/api/v1/units", content=chunks(), headers={"content-type": "application/json"}
            )
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
