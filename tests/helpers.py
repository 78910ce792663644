"""Assertions and harnesses shared by the API tests."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.audit.models import AuditEvent
from app.db import Base, EmbeddedPostgres
from app.main import create_app
from app.settings import Settings
from app.types import MAX_ID

__all__ = ["MAX_ID", "PROBLEM", "ClientAs", "Collection", "assert_problem", "bearer"]

PROBLEM = "application/problem+json"
# The resources with plain list/get/create/change/delete routes, as their paths name them.
RESOURCES = (
    "units",
    "plans",
    "tasks",
    "responsibilities",
    "milestones",
    "indicators",
    "indicator-reports",
)
# The `client_as` fixture: `async with client_as("reporter", unit=unit) as reporter: ...`
ClientAs = Callable[..., AbstractAsyncContextManager[AsyncClient]]


def bearer(app: FastAPI, secret: str) -> AsyncClient:
    """A client of the app that sends this API key (use it as ``async with``)."""
    return AsyncClient(
        transport=ASGITransport(app=app),
        base_url="http://test",
        headers={"Authorization": f"Bearer {secret}"},
    )


@dataclass(frozen=True)
class Collection:
    """The calls every resource's API tests make on its collection."""

    url: str
    model: type[Base]

    async def count(self, db: AsyncSession) -> int:
        """How many records are stored."""
        return int(await db.scalar(select(func.count()).select_from(self.model)) or 0)

    async def list_ids(self, client: AsyncClient, **params: Any) -> list[int]:
        """The ids a list with these filters returns, all on one page."""
        response = await client.get(self.url, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["next_cursor"] is None
        return [item["id"] for item in body["items"]]

    async def read(self, client: AsyncClient, record_id: int) -> Response:
        response = await client.get(f"{self.url}/{record_id}")
        assert response.status_code == 200, response.text
        return response

    async def patch(
        self, client: AsyncClient, record_id: int, body: dict[str, Any], etag: str = "*"
    ) -> Response:
        return await client.patch(f"{self.url}/{record_id}", json=body, headers={"If-Match": etag})


def assert_problem(response: Response, status: int | set[int], code: str | None = None) -> Any:
    """An RFC 9457 problem with the given status (or one of them) and, if given, code."""
    allowed = status if isinstance(status, set) else {status}
    assert response.status_code in allowed, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert body["status"] == response.status_code
    assert body["title"]
    assert body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


@asynccontextmanager
async def served_app(
    database_url: str, admin_key: str, embedded: EmbeddedPostgres | None = None, **settings: Any
) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    """The app as `luoshi serve` runs it — real lifespan (bootstrap key, worker, the embedded
    server's watchdog when given one), real per-request connections, no overrides — and a
    client holding the bootstrap admin key."""
    app = create_app(
        settings=Settings(bootstrap_admin_key=SecretStr(admin_key), **settings),
        database_url=database_url,
        embedded=embedded,
    )
    async with app.router.lifespan_context(app), bearer(app, admin_key) as client:
        yield app, client


@asynccontextmanager
async def served(database_url: str, admin_key: str) -> AsyncIterator[AsyncClient]:
    """``served_app``'s client."""
    async with served_app(database_url, admin_key) as (_, client):
        yield client


@contextmanager
def served_over_http(database_url: str, admin_key: str, **settings: Any) -> Iterator[str]:
    """``served_app`` behind a real HTTP listener on a free local port, for what only talks
    HTTP (the `luoshi` commands that go through the service); yields the base URL."""
    import uvicorn

    app = create_app(
        settings=Settings(bootstrap_admin_key=SecretStr(admin_key), **settings),
        database_url=database_url,
    )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        for _ in range(400):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.05)
        assert server.started, "the service did not start"
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


async def assert_created(client: AsyncClient, url: str, sent: dict[str, Any]) -> dict[str, Any]:
    """POST ``sent`` and check what every create promises: 201, a ``Location`` that serves the
    same record with the same ``ETag``, and every field sent stored as sent. The record."""
    response = await client.post(url, json=sent)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["location"] == f"{url}/{body['id']}"
    assert response.headers["etag"]
    assert {k: body[k] for k in sent} == sent
    got = await client.get(response.headers["location"])
    assert got.status_code == 200
    assert got.json() == body
    assert got.headers["etag"] == response.headers["etag"]
    return body


async def audit_rows(session: AsyncSession, entity_type: str, action: str) -> list[Any]:
    """The audit events of one kind, oldest first: (action, actor_name, entity_id, changes)."""
    rows = await session.execute(
        select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.entity_id, AuditEvent.changes)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.action == action)
        .order_by(AuditEvent.id)
    )
    return list(rows)


async def race_two_replicas(
    engine: AsyncEngine, run: Callable[[AsyncSession], Awaitable[Any]]
) -> tuple[Any, Any]:
    """``run`` in two sessions at once, as two replicas of the worker would: the first's work,
    not yet committed, must hold the second up until it commits. Returns both results."""
    first, second = AsyncSession(engine), AsyncSession(engine)
    try:
        won = await run(first)
        racing = asyncio.create_task(run(second))
        await asyncio.sleep(0.3)
        assert not racing.done(), "the second replica did not wait for the first"
        await first.commit()
        lost = await racing
        await second.commit()
        return won, lost
    finally:
        await first.close()
        await second.close()
