"""The README's promise: a restart loses no bulk job. `luoshi serve` is stopped in the middle of
a job by SIGTERM (past its shutdown grace) or SIGKILL; after it starts again the job runs from
the start and every row is written exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import uuid
from pathlib import Path

import asyncpg
import httpx
import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = 120_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start(url: str, key: str, port: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LUOSHI_BOOTSTRAP_ADMIN_KEY": key,
        "LUOSHI_LOG_LEVEL": "WARNING",
        "LUOSHI_BULK_SHUTDOWN_GRACE_SECONDS": "0",
        "LUOSHI_BULK_HEARTBEAT_TIMEOUT_SECONDS": "3",
        "LUOSHI_RATE_LIMIT_PER_MINUTE": "0",
    }
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "app.cli", "serve", "--port", str(port)),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with httpx.AsyncClient() as client:
        for _ in range(240):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return proc
            except httpx.TransportError:
                pass
            assert proc.returncode is None, "luoshi serve exited while starting"
            await asyncio.sleep(0.25)
    proc.kill()
    raise AssertionError("luoshi serve did not become ready")


async def job_status(client: httpx.AsyncClient, location: str) -> str:
    return str((await client.get(location)).json()["status"])


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL])
async def test_a_job_interrupted_by_a_stop_runs_again_after_the_start(
    own_database: str, stop_signal: signal.Signals
) -> None:
    key = f"lsk_restart_{uuid.uuid4().hex}"
    port = free_port()
    base, headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {key}"}
    body = b"\n".join(orjson.dumps({"code": f"R{n:06d}", "name": f"单位{n}"}) for n in range(ROWS))
    server = await start(own_database, key, port)
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            queued = await client.post(
                "/api/v1/bulk/units",
                content=body,
                headers={"Content-Type": "application/x-ndjson"},
                params={"async": "true"},
            )
            assert queued.status_code == 202, queued.text
            location = queued.headers["location"]
            for _ in range(400):
                status = await job_status(client, location)
                if status != "queued":
                    break
                await asyncio.sleep(0.01)
            assert status == "running", f"the job was {status} before the stop"
        server.send_signal(stop_signal)
        await asyncio.wait_for(server.wait(), 60)
        conn = await asyncpg.connect(own_database)
        try:  # one transaction: the job's rows are all there or none (never half)
            assert await conn.fetchval("SELECT count(*) FROM units") in (0, ROWS)
        finally:
            await conn.close()

        server = await start(own_database, key, port)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
            for _ in range(600):
                status = await job_status(client, location)
                if status in ("succeeded", "failed"):
                    break
                await asyncio.sleep(0.1)
            job = (await client.get(location)).json()
        assert job["status"] == "succeeded", job
        assert job["summary"]["created"] == ROWS
        conn = await asyncpg.connect(own_database)
        try:
            assert await conn.fetchval("SELECT count(*) FROM units") == ROWS
        finally:
            await conn.close()
    finally:
        if server.returncode is None:
            server.terminate()
            await asyncio.wait_for(server.wait(), 30)
