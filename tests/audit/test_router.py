"""Every write leaves an audit event in its own transaction: who, when, what changed."""

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.service import create_api_key
from tests.helpers import ClientAs, bearer


async def events(client: AsyncClient, **params: object) -> list[dict]:  # type: ignore[type-arg]
    response = await client.get("/api/v1/audit-events", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


class TestWritesAreAudited:
    async def test_create_update_delete_leave_events_with_actor_and_changes(
        self, client: AsyncClient
    ) -> None:
        created = await client.post(
            "/api/v1/units",
            json={"code": "AUD", "name": "办公室", "kind": "department"},
            headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"},
        )
        unit_id = created.json()["id"]
        await client.patch(f"/api/v1/units/{unit_id}", json={"name": "办公室（督查室）"})
        await client.delete(f"/api/v1/units/{unit_id}")

        trail = await events(client, entity_type="unit", entity_id=unit_id)
        assert [e["action"] for e in trail] == ["delete", "update", "create"]  # newest first
        delete, update, create = trail
        assert create["actor_name"] == "test admin"
        assert create["changes"]["name"] == [None, "办公室"]
        assert create["request_id"] == "0123456789abcdef0123456789abcdef"
        assert update["changes"] == {"name": ["办公室", "办公室（督查室）"]}
        assert delete["changes"]["code"] == ["AUD", None]

    async def test_a_refused_write_leaves_no_event(self, client: AsyncClient) -> None:
        await client.post("/api/v1/units", json={"code": "ONE", "name": "一"})
        before = await events(client, entity_type="unit")
        refused = await client.post("/api/v1/units", json={"code": "ONE", "name": "二"})
        assert refused.status_code == 409
        assert await events(client, entity_type="unit") == before

    async def test_a_patch_that_changes_nothing_leaves_no_event(self, client: AsyncClient) -> None:
        unit_id = (await client.post("/api/v1/units", json={"code": "SAME", "name": "同"})).json()[
            "id"
        ]
        await client.patch(f"/api/v1/units/{unit_id}", json={"name": "同"})
        assert [
            e["action"] for e in await events(client, entity_type="unit", entity_id=unit_id)
        ] == ["create"]

    async def test_filter_by_actor(
        self, client: AsyncClient, db: AsyncSession, app: object
    ) -> None:
        key, secret = await create_api_key(db, name="second admin")
        async with bearer(app, secret) as other:
            await other.post("/api/v1/units", json={"code": "BY2", "name": "乙"})
        await client.post("/api/v1/units", json={"code": "BY1", "name": "甲"})
        mine = await events(client, actor=key.id)
        assert [e["changes"]["code"][1] for e in mine] == ["BY2"]


class TestSecretsStayOut:
    async def test_key_creation_event_has_no_secret_or_hash(
        self, db: AsyncSession, client: AsyncClient
    ) -> None:
        key, secret = await create_api_key(db, name="script")
        await db.flush()
        trail = await events(client, entity_type="api_key", entity_id=key.id)
        assert len(trail) == 1
        text = str(trail[0])
        assert secret not in text
        assert "key_hash" not in trail[0]["changes"]


class TestWhoMayRead:
    async def test_reader_may_not_list_audit_events(self, client_as: ClientAs) -> None:
        async with client_as("reader", name="reader") as reader:
            response = await reader.get("/api/v1/audit-events")
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
