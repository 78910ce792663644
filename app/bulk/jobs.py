"""Bulk uploads in the background: the job is a row in Postgres, and a pgqueuer entry written in
the same transaction wakes a worker on any replica. A worker that dies mid-job leaves the entry
picked without heartbeat; pgqueuer hands it to another worker, whose run starts over (the upload
is one transaction, so a half-run left nothing behind).

pgqueuer over procrastinate: it speaks asyncpg, the driver we already use, so the entry can be
enqueued on the request's own connection and transaction, and the worker needs no second driver.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from datetime import timedelta
from typing import Any

import asyncpg
import orjson
from pgqueuer import Job, Queries, QueueManager
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.adapters.persistence.qb import (
    QueryBuilderEnvironment,
    QueryQueueBuilder,
    QuerySchedulerBuilder,
)
from pgqueuer.domain.settings import DBSettings
from pgqueuer.domain.types import Channel
from sqlalchemy import func, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit.service import Actor, set_actor
from app.auth import service as auth_service
from app.auth.service import Principal
from app.bulk import service
from app.bulk.models import BulkJob
from app.bulk.resources import SPECS
from app.errors import PROBLEM_BASE, AppError, NotFound
from app.settings import async_database_url

log = logging.getLogger(__name__)

# The queue's tables live in their own schema, created by our migration (see migrations/).
QUEUE = DBSettings(db_schema="pgqueuer")
ENTRYPOINT = "bulk_upload"
SUPERVISING_ROLES = {"admin", "supervisor"}


class KeyNoLongerValid(AppError):
    status, code, title = 403, "key_not_valid", "The key that queued this job may no longer act"


def queries(connection: Any) -> Queries:
    return Queries(
        AsyncpgDriver(connection),
        qbe=QueryBuilderEnvironment(settings=QUEUE),
        qbq=QueryQueueBuilder(settings=QUEUE),
        qbs=QuerySchedulerBuilder(settings=QUEUE),
    )


async def enqueue(
    session: AsyncSession,
    *,
    resource: str,
    options: service.Options,
    content_type: str,
    data: bytes,
    actor: Principal,
    request_id: str | None,
) -> BulkJob:
    """Store the upload as a job and queue it, both in the caller's transaction."""
    service.check_may_upload(SPECS[resource], actor)
    job = BulkJob(
        resource=resource,
        mode=options.mode,
        atomic=options.atomic,
        dry_run=options.dry_run,
        content_type=content_type[:200],
        body=data,
        actor_key_id=actor.key_id,
        actor_name=actor.name,
        actor_role=actor.role,
        actor_unit_id=actor.unit_id,
        request_id=request_id,
    )
    session.add(job)
    await session.flush()
    await queries(await service.asyncpg_connection(session)).enqueue(
        ENTRYPOINT, str(job.id).encode()
    )
    return job


async def get_job(session: AsyncSession, *, job_id: int, actor: Principal) -> BulkJob:
    """A job, to the key that sent it or to the office; 404 to anyone else."""
    job = await session.get(BulkJob, job_id)
    if job is None or (actor.role not in SUPERVISING_ROLES and job.actor_key_id != actor.key_id):
        raise NotFound(f"bulk job {job_id} does not exist")
    return job


def _problem(exc: AppError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + exc.code.replace("_", "-"),
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        "code": exc.code,
    }
    if exc.errors is not None:
        body["errors"] = exc.errors
    # jsonb refuses NUL characters, which an upload's own text (a column name) may carry.
    return orjson.loads(orjson.dumps(body).replace(b"\\u0000", b"\\ufffd"))


async def run_job(
    sessions: async_sessionmaker[AsyncSession], job_id: int, *, max_rows: int
) -> None:
    """Run one queued job to its end: succeeded with a summary, or failed with a problem."""
    async with sessions.begin() as session:
        job = (
            await session.execute(
                update(BulkJob)
                .where(BulkJob.id == job_id, BulkJob.status.in_(("queued", "running")))
                .values(status="running", started_at=func.now())
                .returning(BulkJob)
            )
        ).scalar_one_or_none()
    if job is None:
        return  # already finished (a duplicate wake-up)
    actor = Principal(
        key_id=job.actor_key_id,
        name=job.actor_name,
        role=job.actor_role,
        unit_id=job.actor_unit_id,
    )
    options = service.Options(mode=job.mode, atomic=job.atomic, dry_run=job.dry_run)  # type: ignore[arg-type]

    async def progress(rows_read: int) -> None:
        async with sessions.begin() as session:
            await session.execute(
                update(BulkJob).where(BulkJob.id == job_id).values(rows_read=rows_read)
            )

    finished: dict[str, Any]
    try:
        async with sessions.begin() as session:
            reason = await auth_service.key_still_valid(session, key_id=actor.key_id)
            if reason is not None:
                raise KeyNoLongerValid(
                    f"key {actor.key_id} ({actor.name}) was {reason} after it queued this job; "
                    "nothing was written. Send the upload again with a valid key."
                )
            set_actor(session, Actor(key_id=actor.key_id, name=actor.name))
            outcome = await service.upload(
                session,
                spec=SPECS[job.resource],
                data=job.body or b"",
                content_type=job.content_type,
                options=options,
                actor=actor,
                max_rows=max_rows,
                progress=progress,
                job_id=job_id,
            )
            # The result is stored with the writes: both commit or neither.
            await session.execute(
                update(BulkJob)
                .where(BulkJob.id == job_id)
                .values(
                    status="succeeded",
                    summary=service.summary(job.resource, options, outcome),
                    rows_read=outcome.total,
                    body=None,
                    finished_at=func.now(),
                )
            )
        return
    except AppError as exc:
        finished = {"problem": _problem(exc)}
    except Exception:
        log.exception("bulk job failed", extra={"job_id": job_id})
        finished = {
            "problem": _problem(
                AppError("the job stopped on an unexpected error; send the upload again")
            )
            | {"status": 500, "code": "internal_error", "title": "Internal server error"}
        }
    try:
        async with sessions.begin() as session:
            await session.execute(
                update(BulkJob)
                .where(BulkJob.id == job_id)
                .values(status="failed", body=None, finished_at=func.now(), **finished)
            )
    except Exception:
        log.exception("bulk job's failure could not be stored", extra={"job_id": job_id})
        raise  # pgqueuer logs the job as failed; its row stays `running`


def asyncpg_dsn(url: str) -> str:
    return (
        make_url(async_database_url(url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("bulk worker stopped", exc_info=task.exception())


# Jobs a worker was running when it died (SIGTERM past the grace, SIGKILL, a crash) keep their
# `queued`/`running` row while their queue entry is gone (pgqueuer deletes a cancelled job's
# entry) or was never written. Any replica puts them back in the queue; each job's writes are
# one transaction, so the rerun starts from nothing.
_ORPHANS = """
SELECT j.id FROM bulk_jobs j
WHERE j.status IN ('queued', 'running') AND NOT EXISTS (
    SELECT 1 FROM pgqueuer.pgqueuer q
    WHERE q.entrypoint = $1 AND q.payload = convert_to(j.id::text, 'UTF8'))
ORDER BY j.id
FOR UPDATE OF j SKIP LOCKED
"""
ORPHAN_CHECK_SECONDS = 60.0
WATCH_SECONDS = 1.0


async def requeue_orphans(connection: asyncpg.Connection) -> list[int]:
    """Queue again every job that lost its queue entry; returns their ids."""
    async with connection.transaction():
        ids = [row["id"] for row in await connection.fetch(_ORPHANS, ENTRYPOINT)]
        if ids:
            await queries(connection).enqueue(
                [ENTRYPOINT] * len(ids), [str(i).encode() for i in ids], [0] * len(ids)
            )
    if ids:
        log.warning("bulk jobs queued again after their worker stopped", extra={"jobs": ids})
    return ids


class Worker:
    """Runs queued bulk jobs inside `luoshi serve`, at most two at a time per process.

    It holds a connection of its own (LISTEN/NOTIFY). When the database goes away the worker
    logs it once, then reconnects with backoff and carries on; nothing needs a restart.
    """

    def __init__(
        self,
        *,
        url: str,
        sessions: async_sessionmaker[AsyncSession],
        max_rows: int,
        retry_max: float = 30.0,
        heartbeat_timeout: float = 30.0,
    ) -> None:
        self.url = url
        self.sessions = sessions
        self.max_rows = max_rows
        self.retry_max = retry_max
        self.heartbeat_timeout = timedelta(seconds=heartbeat_timeout)
        self.connection: asyncpg.Connection | None = None
        self.manager: QueueManager | None = None
        self.task: asyncio.Task[None] | None = None
        self.stopping = asyncio.Event()

    async def start(self) -> None:
        self.task = asyncio.create_task(self._run())
        self.task.add_done_callback(_report_crash)

    async def _run(self) -> None:
        delay, down_since = 1.0, None
        while not self.stopping.is_set():
            try:
                self.connection = await asyncpg.connect(
                    asyncpg_dsn(self.url),
                    timeout=10,
                    server_settings={"application_name": "luoshi-bulk-worker"},
                )
                await requeue_orphans(self.connection)
                if down_since is not None:
                    log.warning(
                        "bulk worker reconnected to the database",
                        extra={"down_seconds": round(time.monotonic() - down_since)},
                    )
                delay, down_since = 1.0, None
                await self._serve(self.connection)
            except Exception as exc:  # the database went away, or never came
                if down_since is None:
                    down_since = time.monotonic()
                    log.warning(
                        "bulk worker lost the database; retrying",
                        extra={"error": exc.__class__.__name__},
                    )
            finally:
                await self._close()
            if self.stopping.is_set():
                break
            jitter = random.uniform(1, 1.5)  # noqa: S311 - spreads replicas' retries, not a secret
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), delay * jitter)
            delay = min(delay * 2, self.retry_max)

    async def _serve(self, connection: asyncpg.Connection) -> None:
        manager = QueueManager(queries(connection), channel=Channel(QUEUE.channel))

        @manager.entrypoint(ENTRYPOINT)
        async def bulk_upload(job: Job) -> None:
            await run_job(
                self.sessions, int((job.payload or b"0").decode()), max_rows=self.max_rows
            )

        self.manager = manager
        if self.stopping.is_set():
            return
        watch = asyncio.create_task(self._watch(connection, manager))
        try:
            await manager.run(
                dequeue_timeout=timedelta(seconds=10),
                batch_size=1,
                max_concurrent_tasks=2,
                shutdown_on_listener_failure=True,
                heartbeat_timeout=self.heartbeat_timeout,
            )
        finally:
            watch.cancel()
        if not self.stopping.is_set():
            raise ConnectionError("the queue listener stopped")

    async def _watch(self, connection: asyncpg.Connection, manager: QueueManager) -> None:
        """pgqueuer does not notice its connection dying (a restart, a failover): look every
        second, and stop the manager so that `_run` reconnects. Also re-queue orphans."""
        checked = time.monotonic()
        try:
            while not connection.is_closed():
                await asyncio.sleep(WATCH_SECONDS)
                if (
                    time.monotonic() - checked >= ORPHAN_CHECK_SECONDS
                    and not connection.is_closed()
                ):
                    checked = time.monotonic()
                    await requeue_orphans(connection)
        except Exception:
            # Said when it happens, not when the task is collected; the worker reconnects.
            log.exception("bulk worker's watch failed; reconnecting")
        finally:
            manager.shutdown.set()

    async def _close(self) -> None:
        connection, self.connection, self.manager = self.connection, None, None
        if connection is not None:
            try:
                await asyncio.wait_for(connection.close(), 5)
            except Exception:
                connection.terminate()

    async def stop(self, grace: float = 30) -> None:
        """Let the running job finish (up to ``grace`` seconds); a job still running then is
        cancelled, and runs again from the start on the next worker that starts."""
        self.stopping.set()
        if self.manager is not None:
            self.manager.shutdown.set()
        if self.task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.task), grace)
            except TimeoutError:
                log.warning("bulk worker did not stop in time; its job will run again")
                self.task.cancel()
                with contextlib.suppress(BaseException):
                    # pgqueuer may hold the cancellation until its job returns: do not wait for
                    # that. Whatever state the job is left in, it runs again (see above).
                    await asyncio.wait_for(self.task, 5)
            except Exception:
                log.exception("bulk worker stopped with an error")
