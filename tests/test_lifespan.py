"""The app as `luoshi serve` runs it: real lifespan, real per-request connections, no overrides."""

import uuid

from tests.helpers import served


async def test_start_up_bootstraps_the_admin_key_once_and_serves(database_url: str) -> None:
    secret = f"lsk_boot_{uuid.uuid4().hex}"
    code = f"LIFE-{uuid.uuid4().hex[:8]}"
    for _ in range(2):  # a second start (another replica) finds the key and keeps it
        async with served(database_url, secret) as client:
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
