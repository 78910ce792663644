"""Alembic environment: async engine, the app's metadata, and an optional shared connection.

``app.db.migrate`` passes its own connection (holding the advisory lock) in
``config.attributes["connection"]``; the ``alembic`` CLI gets a fresh engine from the settings.
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import app.models  # noqa: F401  (registers every table)
from app.db import Base, resolve_database_url
from app.settings import async_database_url, get_settings

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online(url: str) -> None:
    engine = create_async_engine(async_database_url(url), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
        await connection.commit()
    await engine.dispose()


def run_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif (shared := config.attributes.get("connection")) is not None:
    run_with(shared)
else:
    # Resolved before the loop starts: the embedded server is started synchronously.
    asyncio.run(
        run_online(config.get_main_option("sqlalchemy.url") or resolve_database_url(get_settings()))
    )
