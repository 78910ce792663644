"""GET one task as FastAPI serves it with only some of the service's layers; ``BENCH_LAYERS``
picks how many. Run by ``bench/request_layers.py``; the SQL is the bare handler's.

- ``fastapi``: one route, one plain dependency that authenticates on an asyncpg pool;
- ``middleware``: the same behind the service's three middlewares (request id, body limit,
  metrics);
- ``sqlalchemy``: the same, the connection checked out of SQLAlchemy's pool as the service
  does (``RequestDatabase``), statements still run on the asyncpg connection underneath.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI, Path, Request
from starlette.responses import Response

from app.db import RequestDatabase, make_engine
from app.fastpath import driver_connection
from app.limits import BodyLimitMiddleware
from app.ops.metrics import Metrics, MetricsMiddleware
from app.settings import Settings
from bench.raw_asyncpg_app import AUTH_SQL, TASK_SQL, _encode

LAYERS = os.environ.get("BENCH_LAYERS", "fastapi")
DSN = os.environ.get("BENCH_RAW_DSN", "")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    if LAYERS == "sqlalchemy":
        app.state.engine = make_engine(DSN, Settings())
        yield
        await app.state.engine.dispose()
    else:
        app.state.pool = await asyncpg.create_pool(DSN, min_size=10, max_size=10)
        yield
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


async def authenticated(request: Request) -> Any:
    """Check out a connection (released by the route) and run the authentication statement."""
    if LAYERS == "sqlalchemy":
        db = request.state.db = RequestDatabase(request.app.state.engine)
        conn = await driver_connection(await db.connection())
    else:
        conn = request.state.conn = await request.app.state.pool.acquire()
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    return await conn.fetchrow(AUTH_SQL, hashlib.sha256(token.encode()).hexdigest())


@app.get("/healthz")
async def get_healthz() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


@app.get("/api/v1/tasks/{task_id}")
async def get_task(
    request: Request, task_id: Annotated[int, Path(ge=1)], key: Any = Depends(authenticated)
) -> Response:
    try:
        if LAYERS == "sqlalchemy":
            conn = await driver_connection(await request.state.db.connection())
        else:
            conn = request.state.conn
        row = await conn.fetchrow(TASK_SQL, task_id)
    finally:
        if LAYERS == "sqlalchemy":
            await request.state.db.close()
        else:
            await request.app.state.pool.release(request.state.conn)
    return Response(_encode(row), media_type="application/json")


if LAYERS != "fastapi":
    app.add_middleware(MetricsMiddleware, metrics=Metrics(), api_prefix="/api/v1")
    app.add_middleware(BodyLimitMiddleware, max_bytes=32 * 2**20)
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
