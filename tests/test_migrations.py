"""The schema comes only from Alembic, matches the models, and migrating is safe to race."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import app.models  # noqa: F401
from app.db import Base, migrate
from app.settings import async_database_url


async def test_models_and_migrations_do_not_drift(engine: AsyncEngine) -> None:
    def diff(sync_conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []


_CHECKS = text(
    "SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS definition "
    "FROM pg_constraint WHERE contype = 'c' AND connamespace = CAST(:schema AS regnamespace)"
)


async def test_check_constraints_match_the_models(engine: AsyncEngine) -> None:
    """Alembic's comparison leaves out CHECK constraints: the models' must be the migrated ones.

    The models are created in a scratch schema and Postgres renders both sets of constraints,
    so a comparator added to a model but not to a migration shows here.
    """

    def checks(sync_conn, schema: str) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
        rows = sync_conn.execute(_CHECKS, {"schema": schema})
        return {(r.tbl.rpartition(".")[2], r.conname): r.definition for r in rows}

    async with engine.connect() as conn, conn.begin() as transaction:
        await conn.execute(text("CREATE SCHEMA model_check"))
        scratch = await conn.execution_options(schema_translate_map={None: "model_check"})
        await scratch.run_sync(Base.metadata.create_all)
        migrated = await conn.run_sync(checks, "public")
        modelled = await conn.run_sync(checks, "model_check")
        await transaction.rollback()
    assert ("indicators", "ck_indicators_comparator") in modelled
    assert migrated == modelled


@pytest.fixture
async def empty_database(database_url: str) -> AsyncIterator[str]:
    url = make_url(database_url)
    name = f"luoshi_race_{uuid.uuid4().hex[:8]}"
    admin = url.render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield url.set(database=name).render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await conn.close()


async def test_replicas_migrating_at_once_do_not_race(empty_database: str) -> None:
    await asyncio.gather(*(migrate(empty_database) for _ in range(4)))
    engine = create_async_engine(async_database_url(empty_database))
    try:
        async with engine.connect() as conn:
            heads = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads())
        assert len(heads) == 1
    finally:
        await engine.dispose()
