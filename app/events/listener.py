"""One LISTEN connection per process, waking every long poll of the change feed.

A write transaction that appends audit events NOTIFYs ``luoshi_events`` (a statement trigger,
see the migration), which Postgres delivers at commit. Waiters hold no database connection:
they wait on an ``asyncio.Event`` that the one listening connection sets. While that connection
is down, waiters fall back to polling every ``POLL_SECONDS``; after it reconnects every waiter is
woken once, since a notification may have been missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from app.errors import AppError

log = logging.getLogger(__name__)

CHANNEL = "luoshi_events"
POLL_SECONDS = 1.0
HEALTH_CHECK_SECONDS = 10.0


class TooManyWaiters(AppError):
    status, code, title = 503, "too_many_waiters", "Too many long polls"


class EventListener:
    """Shared by every request of the process; ``max_waiters`` bounds the long polls it holds."""

    def __init__(self, *, dsn: str, max_waiters: int, retry_max: float = 30.0) -> None:
        self.dsn = dsn
        self.max_waiters = max_waiters
        self.retry_max = retry_max
        self.waiters = 0
        self.generation = 0
        self.connected = False
        self._woken = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stopping.set()
        self.wake()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self, *_: Any) -> None:
        """Wake every waiter (an asyncpg notification callback, or a reconnect)."""
        self.generation += 1
        woken, self._woken = self._woken, asyncio.Event()
        woken.set()

    @contextlib.asynccontextmanager
    async def waiting(self) -> AsyncIterator[None]:
        """Count a long poll; refuse one over the bound (503, retry in a second)."""
        if self.waiters >= self.max_waiters:
            raise TooManyWaiters(
                f"this server already holds {self.max_waiters} long polls; retry, or poll "
                "without `wait`",
                headers={"Retry-After": "1"},
            )
        self.waiters += 1
        try:
            yield
        finally:
            self.waiters -= 1

    async def wait(self, since: int, seconds: float) -> None:
        """Return when something committed after ``generation`` was ``since``, or after
        ``seconds``; at most ``POLL_SECONDS`` while not listening."""
        if self.generation != since or seconds <= 0:
            return
        if not self.connected:
            seconds = min(seconds, POLL_SECONDS)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), seconds)

    async def _run(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(
                    self.dsn,
                    timeout=10,
                    server_settings={"application_name": "luoshi-events"},
                )
                await connection.add_listener(CHANNEL, self.wake)
                self.connected, delay = True, 1.0
                self.wake()  # anything committed while not listening
                while not self._stopping.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), HEALTH_CHECK_SECONDS)
                    # A dead connection delivers nothing and says nothing: ask it.
                    await connection.fetchval("SELECT 1", timeout=5)
            except Exception as exc:
                if self.connected:
                    log.warning(
                        "change feed listener lost the database; long polls poll until it is back",
                        extra={"error": exc.__class__.__name__},
                    )
            finally:
                self.connected = False
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=2)
            if self._stopping.is_set():
                break
            jitter = random.uniform(1, 1.5)  # noqa: S311 - spreads replicas' retries, not a secret
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay * jitter)
            delay = min(delay * 2, self.retry_max)
