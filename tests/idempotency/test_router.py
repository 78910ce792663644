"""``Idempotency-Key``: a retried POST is answered from the first response, never done twice."""

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.plans.models import Plan
from tests.helpers import ClientAs

PLAN = {"code": "IDEM-1", "title": "计划", "year": 2024}


async def plan_count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Plan)) or 0)


class TestReplay:
    async def test_replay_returns_the_first_response_and_creates_once(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        headers = {"Idempotency-Key": "k-1"}
        first = await client.post("/api/v1/plans", json=PLAN, headers=headers)
        assert first.status_code == 201
        again = await client.post("/api/v1/plans", json=PLAN, headers=headers)
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["idempotent-replayed"] == "true"
        assert await plan_count(db) == 1

    async def test_same_body_with_other_formatting_is_a_replay(self, client: AsyncClient) -> None:
        headers = {"Idempotency-Key": "k-2", "content-type": "application/json"}
        first = await client.post(
            "/api/v1/plans", content=b'{"code":"IDEM-2","title":"t","year":2024}', headers=headers
        )
        again = await client.post(
            "/api/v1/plans",
            content=b'{ "year": 2024, "title": "t", "code": "IDEM-2" }',
            headers=headers,
        )
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]

    async def test_same_key_with_a_different_body_is_refused(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        headers = {"Idempotency-Key": "k-3"}
        assert (await client.post("/api/v1/plans", json=PLAN, headers=headers)).status_code == 201
        other = await client.post(
            "/api/v1/plans", json={**PLAN, "code": "IDEM-OTHER"}, headers=headers
        )
        assert other.status_code == 422
        assert other.headers["content-type"] == "application/problem+json"
        assert "Idempotency-Key" in other.json()["detail"]
        assert await plan_count(db) == 1

    async def test_a_failed_request_does_not_burn_the_key(self, client: AsyncClient) -> None:
        headers = {"Idempotency-Key": "k-4"}
        bad = await client.post("/api/v1/plans", json={**PLAN, "year": "x"}, headers=headers)
        assert bad.status_code == 422
        good = await client.post("/api/v1/plans", json=PLAN, headers=headers)
        assert good.status_code == 201

    async def test_keys_belong_to_one_api_key(
        self, client: AsyncClient, client_as: ClientAs
    ) -> None:
        headers = {"Idempotency-Key": "shared"}
        first = await client.post("/api/v1/plans", json=PLAN, headers=headers)
        async with client_as("admin", name="other") as other:
            second = await other.post(
                "/api/v1/plans", json={**PLAN, "code": "IDEM-B"}, headers=headers
            )
        assert first.status_code == second.status_code == 201
        assert second.json()["id"] != first.json()["id"]

    async def test_without_a_key_each_post_is_its_own(self, client: AsyncClient) -> None:
        first = await client.post("/api/v1/plans", json=PLAN)
        again = await client.post("/api/v1/plans", json=PLAN)
        assert first.status_code == 201
        assert again.status_code == 409

    async def test_overlong_key_is_refused(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/plans", json=PLAN, headers={"Idempotency-Key": "k" * 300}
        )
        assert response.status_code == 422
