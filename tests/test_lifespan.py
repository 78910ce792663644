"""The app as `luoshi serve` runs it: real lifespan, real per-request connections, no overrides."""

import uuid

from sqlalchemy import event

from tests.helpers import served, served_app


async def test_start_up_bootstraps_the_admin_key_once_and_serves(own_database: str) -> None:
    secret = f"lsk_boot_{uuid.uuid4().hex}"
    code = f"LIFE-{uuid.uuid4().hex[:8]}"
    for _ in range(2):  # a second start (another replica) finds the key and keeps it
        async with served(own_database, secret) as client:
            assert (await client.get("/readyz")).status_code == 200
            created = await client.post("/api/v1/units", json={"code": code, "name": "甲"})
            assert created.status_code == 201, created.text
            unit = await client.get(created.headers["location"])
            assert unit.json()["code"] == code
            # a failed write rolls back: the duplicate code is refused and nothing changes
            dup = await client.post("/api/v1/units", json={"code": code, "name": "乙"})
            assert dup.status_code == 409
            assert (await client.delete(created.headers["location"])).status_code == 204
            assert (await client.get(created.headers["location"])).status_code == 404


async def test_every_request_returns_its_connection_to_the_pool(own_database: str) -> None:
    """Whatever a request ends in — success, refused key, invalid body, a conflict the
    database finds, a missing record — its connection goes back to the pool and is used again.
    A connection left to the garbage collector is terminated instead: every request would pay
    for a new one (or, held by a reference, hang the service once the pool is empty)."""
    secret = f"lsk_boot_{uuid.uuid4().hex}"
    code = f"POOL-{uuid.uuid4().hex[:8]}"
    async with served_app(own_database, secret, db_pool_size=2, db_max_overflow=0) as (
        app,
        client,
    ):
        opened: list[object] = []
        event.listen(app.state.engine.sync_engine, "connect", lambda *_: opened.append(1))
        created = await client.post("/api/v1/units", json={"code": code, "name": "甲"})
        assert created.status_code == 201
        for _ in range(3):  # more rounds than the pool has connections
            assert (await client.get(created.headers["location"])).status_code == 200
            refused = await client.get("/api/v1/units", headers={"Authorization": "Bearer nope"})
            assert refused.status_code == 401
            invalid = await client.post("/api/v1/units", json={"code": code, "nme": "x"})
            assert invalid.status_code == 422
            conflict = await client.post("/api/v1/units", json={"code": code, "name": "乙"})
            assert conflict.status_code == 409
            assert (await client.get("/api/v1/units/999999999")).status_code == 404
        assert app.state.engine.pool.checkedout() == 0
        assert len(opened) <= 2  # the pool's size: each connection served many requests
        assert (await client.delete(created.headers["location"])).status_code == 204
