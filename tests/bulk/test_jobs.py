"""`?async=true`: the upload becomes a job in Postgres that a worker runs; its status is read."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import orjson
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pgqueuer import QueueManager
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from app.auth import service as auth_service
from app.bulk import jobs, service
from app.bulk.jobs import requeue_orphans, run_job
from app.bulk.models import BulkJob
from app.units.models import Unit
from tests.helpers import assert_problem, bearer, served

URL = "/api/v1/bulk"


def ndjson(rows: list[dict[str, Any]]) -> bytes:
    return b"\n".join(orjson.dumps(r) for r in rows)


async def queue(client: AsyncClient, body: bytes, **params: str) -> Any:
    response = await client.post(
        f"{URL}/units",
        content=body,
        headers={"Content-Type": "application/x-ndjson"},
        params={"async": "true", **params},
    )
    assert response.status_code == 202, response.text
    return response


def sessions_on(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """A worker's sessions, inside the test's transaction (each `begin` is a savepoint)."""
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


class TestQueue:
    async def test_202_with_location_and_a_queue_entry(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        response = await queue(client, ndjson([{"code": "J1", "name": "甲"}]))
        job = response.json()
        assert response.headers["location"] == f"/api/v1/bulk-jobs/{job['id']}"
        assert (job["status"], job["resource"], job["summary"]) == ("queued", "units", None)
        entries = await db.scalar(
            text(
                "SELECT count(*) FROM pgqueuer.pgqueuer "
                "WHERE entrypoint = 'bulk_upload' AND payload = :payload"
            ),
            {"payload": str(job["id"]).encode()},
        )
        assert entries == 1
        assert await db.scalar(select(func.count()).select_from(Unit)) == 0

    async def test_run_writes_the_rows_and_the_summary(
        self, client: AsyncClient, db: AsyncSession, connection: AsyncConnection
    ) -> None:
        response = await queue(client, ndjson([{"code": "J2", "name": "甲"}, {"code": "J3"}]))
        await run_job(sessions_on(connection), response.json()["id"], max_rows=100)
        # Atomic: the second row has no name, so nothing was written and the job failed.
        job = (await client.get(response.headers["location"])).json()
        assert job["status"] == "failed"
        assert job["problem"]["code"] == "invalid_rows"
        assert [(e["row"], e["field"]) for e in job["problem"]["errors"]] == [(2, "name")]
        assert await db.scalar(select(func.count()).select_from(Unit)) == 0

        response = await queue(client, ndjson([{"code": "J2", "name": "甲"}]))
        await run_job(sessions_on(connection), response.json()["id"], max_rows=100)
        job = (await client.get(response.headers["location"])).json()
        assert (job["status"], job["rows_read"]) == ("succeeded", 1)
        assert job["summary"]["created"] == 1
        assert await db.scalar(select(Unit.name).where(Unit.code == "J2")) == "甲"
        assert await db.scalar(select(BulkJob.body).where(BulkJob.id == job["id"])) is None

    async def test_only_the_sender_and_the_office_see_a_job(
        self, app: FastAPI, client: AsyncClient, db: AsyncSession
    ) -> None:
        job_url = (await queue(client, ndjson([{"code": "J4", "name": "x"}]))).headers["location"]
        _, secret = await auth_service.create_api_key(db, name="reader", role="reader")
        async with bearer(app, secret) as reader:
            assert_problem(await reader.get(job_url), 404)

    async def test_unreadable_format_is_refused_before_queueing(self, client: AsyncClient) -> None:
        response = await client.post(
            f"{URL}/units",
            content=b"x",
            headers={"Content-Type": "image/png"},
            params={"async": "true"},
        )
        assert_problem(response, 415)


async def test_worker_in_the_lifespan_runs_a_job_and_stops(own_database: str) -> None:
    """As `luoshi serve` runs: the worker picks the job up on its own; shutdown is clean."""
    secret = f"lsk_bulk_{uuid.uuid4().hex}"
    code = f"JOB-{uuid.uuid4().hex[:8]}"
    async with served(own_database, secret) as client:
        response = await queue(client, ndjson([{"code": code, "name": "异步"}]))
        for _ in range(100):
            job = (await client.get(response.headers["location"])).json()
            if job["status"] in {"succeeded", "failed"}:
                break
            await asyncio.sleep(0.1)
        assert job["status"] == "succeeded", job
        assert job["summary"]["created"] == 1
        units = (await client.get("/api/v1/units", params={"code": code})).json()["items"]
        assert [u["name"] for u in units] == ["异步"]
        deleted = await client.delete(f"/api/v1/units/{units[0]['id']}")
        assert deleted.status_code == 204


async def test_a_problem_with_nul_characters_is_stored(
    client: AsyncClient, db: AsyncSession, connection: AsyncConnection
) -> None:
    response = await queue(client, ndjson([{"code": "J5", "name": "x", "co\x00lour": 1}]))
    await run_job(sessions_on(connection), response.json()["id"], max_rows=100)
    job = (await client.get(response.headers["location"])).json()
    assert (job["status"], job["problem"]["code"]) == ("failed", "unknown_columns")


class TestKeyNoLongerValid:
    @pytest.mark.parametrize(
        ("reason", "after_queueing"),
        [
            ("revoked", "UPDATE api_keys SET revoked_at = now() WHERE id = :id"),
            (
                "expired",
                "UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = :id",
            ),
        ],
    )
    async def test_a_job_whose_key_may_no_longer_act_does_not_run(
        self,
        app: FastAPI,
        db: AsyncSession,
        connection: AsyncConnection,
        reason: str,
        after_queueing: str,
    ) -> None:
        key, secret = await auth_service.create_api_key(db, name="脚本", role="supervisor")
        async with bearer(app, secret) as script:
            response = await queue(script, ndjson([{"code": "KEY1", "name": "之后"}]))
        await db.execute(text(after_queueing), {"id": key.id})
        await run_job(sessions_on(connection), response.json()["id"], max_rows=100)
        job = await db.get(BulkJob, response.json()["id"])
        assert job is not None
        await db.refresh(job)
        assert (job.status, job.problem["code"]) == ("failed", "key_not_valid")
        assert reason in job.problem["detail"]
        assert await db.scalar(select(func.count()).select_from(Unit)) == 0


class TestJobsThatLostTheirWorker:
    async def test_a_running_job_without_a_queue_entry_is_queued_again_and_runs(
        self, client: AsyncClient, db: AsyncSession, connection: AsyncConnection
    ) -> None:
        job_id = (await queue(client, ndjson([{"code": "ORPH1", "name": "重跑"}]))).json()["id"]
        # As a worker killed mid-job leaves it: the row says running, pgqueuer dropped the entry.
        await db.execute(
            text("UPDATE bulk_jobs SET status = 'running' WHERE id = :id"), {"id": job_id}
        )
        await db.execute(text("DELETE FROM pgqueuer.pgqueuer"))
        driver = await service.asyncpg_connection(db)
        assert await requeue_orphans(driver) == [job_id]
        assert await requeue_orphans(driver) == []  # queued once, not once per replica
        await run_job(sessions_on(connection), job_id, max_rows=100)
        job = (await client.get(f"/api/v1/bulk-jobs/{job_id}")).json()
        assert (job["status"], job["summary"]["created"]) == ("succeeded", 1)
        assert await db.scalar(select(Unit.name).where(Unit.code == "ORPH1")) == "重跑"

    async def test_finished_jobs_are_left_alone(
        self, client: AsyncClient, db: AsyncSession, connection: AsyncConnection
    ) -> None:
        job_id = (await queue(client, ndjson([{"code": "ORPH2", "name": "完成"}]))).json()["id"]
        await run_job(sessions_on(connection), job_id, max_rows=100)
        await db.execute(text("DELETE FROM pgqueuer.pgqueuer"))
        assert await requeue_orphans(await service.asyncpg_connection(db)) == []


async def test_the_worker_carries_on_after_losing_its_connection(own_database: str) -> None:
    """The database drops the worker's own connection (a restart, a failover): jobs queued
    afterwards still run, with no restart of the service."""
    secret = f"lsk_bulk_{uuid.uuid4().hex}"
    async with served(own_database, secret) as client:

        async def run_one(code: str) -> dict[str, Any]:
            response = await queue(client, ndjson([{"code": code, "name": "断线"}]))
            for _ in range(200):
                job = (await client.get(response.headers["location"])).json()
                if job["status"] in {"succeeded", "failed"}:
                    return job  # type: ignore[no-any-return]
                await asyncio.sleep(0.05)
            raise AssertionError(f"job still {job['status']}")

        first, second = f"DROP-{uuid.uuid4().hex[:6]}", f"DROP-{uuid.uuid4().hex[:6]}"
        assert (await run_one(first))["status"] == "succeeded"
        admin = await asyncpg.connect(own_database)
        try:
            dropped = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() "
                "AND application_name = 'luoshi-bulk-worker'"
            )
            assert dropped >= 1
            assert (await run_one(second))["status"] == "succeeded"
        finally:
            await admin.close()
        for code in (first, second):
            units = (await client.get("/api/v1/units", params={"code": code})).json()["items"]
            assert (await client.delete(f"/api/v1/units/{units[0]['id']}")).status_code == 204


async def test_a_failing_watch_is_logged_when_it_happens_and_the_worker_reconnects(
    own_database: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:

    async def broken(connection: asyncpg.Connection) -> list[int]:
        raise RuntimeError("requeue failed")

    monkeypatch.setattr(jobs, "WATCH_SECONDS", 0.01)
    monkeypatch.setattr(jobs, "ORPHAN_CHECK_SECONDS", 0)
    monkeypatch.setattr(jobs, "requeue_orphans", broken)
    connection = await asyncpg.connect(jobs.asyncpg_dsn(own_database))
    try:
        manager = QueueManager(jobs.queries(connection))
        worker = jobs.Worker.__new__(jobs.Worker)
        await asyncio.wait_for(worker._watch(connection, manager), 5)
    finally:
        await connection.close()
    assert manager.shutdown.is_set()  # so the worker's loop reconnects
    assert "bulk worker's watch failed" in caplog.text
    assert "requeue failed" in caplog.text
