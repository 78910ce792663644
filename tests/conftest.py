"""Test harness: a real Postgres (embedded by default, or ``DATABASE_URL``), migrated once.

Each test runs inside one outer transaction that is rolled back at the end; every request gets
its own session on that connection (``join_transaction_mode="create_savepoint"``), so a request
that fails is rolled back exactly as it would be in production.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from app.auth import service as auth_service
from app.db import EmbeddedPostgres, get_connection, migrate
from app.main import create_app
from app.settings import Settings, async_database_url
from app.units.models import Unit
from tests.helpers import ClientAs, bearer


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database for this run, dropped afterwards."""
    import asyncio

    server_url = os.environ.get("DATABASE_URL")
    tmp = embedded = None
    if server_url is None:
        tmp = tempfile.TemporaryDirectory(prefix="luoshi-test-")
        embedded = EmbeddedPostgres(Path(tmp.name), database="postgres")
        server_url = embedded.start()
    name = f"luoshi_test_{uuid.uuid4().hex[:12]}"
    admin_url = server_url.replace("postgresql+asyncpg://", "postgresql://")

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    url = _with_database(admin_url, name)
    try:
        yield url
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if embedded is not None:
            embedded.stop()
        if tmp is not None:
            tmp.cleanup()


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await migrate(database_url)
    engine = create_async_engine(async_database_url(database_url))
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        outer = await conn.begin()
        yield conn
        await outer.rollback()


@pytest.fixture
async def db(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session for arranging data and checking what was stored."""
    session = AsyncSession(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    yield session
    await session.close()


@pytest.fixture(scope="session")
def shared_app(engine: AsyncEngine, database_url: str) -> FastAPI:
    """One app for the run: FastAPI resolves an app's routes on its first request (all of
    them, tens of milliseconds), which an app per test would pay again in every test."""
    application = create_app(settings=Settings(), database_url=database_url)
    application.state.engine = engine
    # Every request shares the test's connection; its session works in a savepoint that a
    # failed request rolls back, exactly as a real request's transaction would be.
    application.state.session_options = {"join_transaction_mode": "create_savepoint"}
    return application


@pytest.fixture
def app(shared_app: FastAPI, connection: AsyncConnection) -> Iterator[FastAPI]:
    """The app, its requests on this test's connection; what a test changes of its state
    (settings, say) is put back afterwards."""
    state = dict(shared_app.state._state)

    async def request_connection() -> AsyncConnection:
        return connection

    shared_app.dependency_overrides[get_connection] = request_connection
    try:
        yield shared_app
    finally:
        shared_app.dependency_overrides.clear()
        shared_app.state._state.clear()
        shared_app.state._state.update(state)


@pytest.fixture
async def admin_key(db: AsyncSession) -> str:
    _, secret = await auth_service.create_api_key(db, name="test admin", role="admin")
    return secret


@pytest.fixture
async def anon(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """A client without credentials."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
async def client(app: FastAPI, admin_key: str) -> AsyncIterator[AsyncClient]:
    """A client with an admin key."""
    async with bearer(app, admin_key) as client:
        yield client


@pytest.fixture
def client_as(app: FastAPI, db: AsyncSession) -> ClientAs:
    """A client with a new key of this role (and unit):
    ``async with client_as("reporter", unit=unit) as reporter: ...``."""

    @asynccontextmanager
    async def make(
        role: str, *, unit: Unit | int | None = None, name: str | None = None
    ) -> AsyncIterator[AsyncClient]:
        unit_id = unit.id if isinstance(unit, Unit) else unit
        _, secret = await auth_service.create_api_key(
            db, name=name or f"a {role}", role=role, unit_id=unit_id
        )
        async with bearer(app, secret) as client:
            yield client

    return make


@pytest.fixture
async def own_database(database_url: str) -> AsyncIterator[str]:
    """A migrated database of this test's own, for tests whose writes really commit
    (served apps, concurrent connections): nothing they leave reaches other tests."""
    name = f"luoshi_own_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
        await migrate(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
