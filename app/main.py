"""Application wiring: routers, middleware, error handlers, and the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.requests import Request
from starlette.responses import Response

import app.models  # noqa: F401  (maps every table before first use)
from app import __version__
from app.audit.router import router as audit_router
from app.auth import service as auth_service
from app.auth.router import router as api_keys_router
from app.bulk.jobs import Worker, asyncpg_dsn
from app.bulk.router import jobs_router as bulk_jobs_router
from app.bulk.router import router as bulk_router
from app.db import (
    EmbeddedPostgres,
    make_engine,
    make_sessionmaker,
    migrate,
    resolve_database_url,
)
from app.errors import install_error_handlers
from app.events.listener import EventListener
from app.events.router import router as events_router
from app.http import API_PREFIX
from app.i18n import LanguageMiddleware
from app.idempotency.service import IdempotentReplay
from app.imports.router import router as imports_router
from app.indicators.router import router as indicators_router
from app.limits import BodyLimitMiddleware
from app.milestones.router import router as milestones_router
from app.obligations.router import router as obligations_router
from app.ops import docs, maintenance
from app.ops.metrics import Metrics, MetricsMiddleware
from app.ops.router import router as ops_router
from app.overview.router import router as overview_router
from app.plans.router import router as plans_router
from app.reminders.router import router as reminders_router
from app.reports.router import router as reports_router
from app.responsibilities.router import router as responsibilities_router
from app.settings import Settings, SettingsMiddleware, get_settings, use_settings
from app.tasks.router import router as tasks_router
from app.units.router import router as units_router
from app.webhooks.delivery import Dispatcher
from app.webhooks.router import messages as webhook_messages
from app.webhooks.router import router as webhooks_router

log = logging.getLogger(__name__)

API_ROUTERS = [
    units_router,
    plans_router,
    tasks_router,
    responsibilities_router,
    milestones_router,
    indicators_router,
    reports_router,
    obligations_router,
    overview_router,
    imports_router,
    bulk_router,
    bulk_jobs_router,
    audit_router,
    events_router,
    reminders_router,
    api_keys_router,
    webhooks_router,
]

DESCRIPTION = """\
Luoshi (落实) turns a government work-plan notice into tasks, responsibilities, milestones and
indicators, collects reports from the responsible units, and tells who is on track.

Errors are `application/problem+json` (RFC 9457) with a stable `code`. Lists are keyset-paged
(`limit`, `cursor` → `next_cursor`). Items carry an `ETag`; send `If-Match` to update safely.
POSTs accept `Idempotency-Key`.
"""


def operation_id(route: APIRoute) -> str:
    """``{tag}-{name}``: stable names for generated clients."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    use_settings(settings)  # the background tasks started below inherit them
    url = app.state.database_url or await asyncio.to_thread(resolve_database_url, settings)
    if settings.migrate_on_start:
        await migrate(url)
    engine = make_engine(url, settings)
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    if settings.bootstrap_admin_key is not None:
        async with app.state.sessionmaker.begin() as session:  # commits on leaving
            await auth_service.ensure_bootstrap_key(
                session, secret=settings.bootstrap_admin_key.get_secret_value()
            )
    housekeeping = asyncio.create_task(
        maintenance.run_forever(
            app.state.sessionmaker,
            idempotency_retention=timedelta(hours=settings.idempotency_retention_hours),
        )
    )
    watchdog = None
    if app.state.embedded is not None:
        watchdog = asyncio.create_task(app.state.embedded.watch())
    worker = None
    if settings.bulk_worker:
        worker = Worker(
            url=url,
            sessions=app.state.sessionmaker,
            max_rows=settings.bulk_max_rows,
            heartbeat_timeout=settings.bulk_heartbeat_timeout_seconds,
        )
        await worker.start()
    listener = EventListener(dsn=asyncpg_dsn(url), max_waiters=settings.events_max_waiters)
    await listener.start()
    app.state.event_listener = listener
    dispatcher = None
    if settings.webhook_worker:
        dispatcher = Dispatcher(
            sessions=app.state.sessionmaker, settings=settings, listener=listener
        )
        await dispatcher.start()
    log.info("luoshi ready", extra={"version": __version__})
    try:
        yield
    finally:
        housekeeping.cancel()
        await listener.stop()
        if dispatcher is not None:
            await dispatcher.stop()
        if watchdog is not None:
            watchdog.cancel()
        if worker is not None:
            await worker.stop(grace=settings.bulk_shutdown_grace_seconds)
        await engine.dispose()


def create_app(
    *,
    settings: Settings | None = None,
    database_url: str | None = None,
    embedded: EmbeddedPostgres | None = None,
) -> FastAPI:
    """The ASGI application. ``database_url`` overrides the settings (tests, the CLI);
    ``embedded`` is the server `luoshi serve` started, which the app restarts if it dies."""
    settings = settings or get_settings()
    app: FastAPI = FastAPIOffline(
        title="Luoshi API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        separate_input_output_schemas=False,
        static_url=docs.ASSETS,  # its assets only: the pages are app.ops.docs's
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database_url = database_url
    app.state.embedded = embedded

    install_error_handlers(app)

    @app.exception_handler(IdempotentReplay)
    async def replay(request: Request, exc: IdempotentReplay) -> Response:
        return exc.response

    app.include_router(ops_router)
    app.include_router(docs.router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.webhooks.include_router(webhook_messages)

    metrics = Metrics()
    app.add_route("/metrics", metrics.endpoint, include_in_schema=False)
    app.add_middleware(MetricsMiddleware, metrics=metrics, api_prefix=API_PREFIX)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(SettingsMiddleware, settings=settings)
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
    return app
