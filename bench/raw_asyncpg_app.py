"""The baseline: a bare ASGI app on an asyncpg pool issuing the essential SQL of each request.

Same authentication lookup, same reads, same insert as the service; no framework, no ORM,
no validation beyond what the database does. Run by ``bench/api_vs_asyncpg.py``.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

import asyncpg
import orjson

from app.auth.service import AUTHENTICATE_COUNTING
from app.reports.periods import parse_period

# The service's own authentication statement (key check, last use, rate-limit counter),
# with asyncpg's placeholder.
AUTH_SQL = str(AUTHENTICATE_COUNTING).replace(":hash", "$1")
TASK_COLUMNS = (
    "id, plan_id, parent_id, kind, number, title, description, status, progress, start_on, "
    "due_on, completed_on, version, created_at, updated_at, "
    "coalesce((SELECT array_agg(r.related_task_id ORDER BY r.related_task_id) "
    "FROM task_relations r WHERE r.task_id = tasks.id), '{}') AS related_task_ids"
)
TASK_SQL = f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1"
PAGE_SQL = f"SELECT {TASK_COLUMNS} FROM tasks WHERE plan_id = $1 ORDER BY id LIMIT $2"
INDICATOR_SQL = (
    "SELECT i.frequency, p.year FROM indicators i JOIN plans p ON p.id = i.plan_id WHERE i.id = $1"
)
INSERT_SQL = (
    "INSERT INTO indicator_reports (indicator_id, unit_id, period, period_start, period_end, "
    "value, note, status, submitted_by_key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
    "RETURNING id, indicator_id, unit_id, period, value, note, status, submitted_by_key_id, "
    "review_comment, reviewed_at, version, created_at, updated_at"
)
TASK_PATH = re.compile(r"^/api/v1/tasks/(\d+)$")

pool: asyncpg.Pool | None = None


def _encode(row: asyncpg.Record) -> bytes:
    def default(value: Any) -> Any:
        return float(value)  # Decimal

    out = dict(row)
    return orjson.dumps(out, default=default)


async def _send(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global pool
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                pool = await asyncpg.create_pool(
                    os.environ["BENCH_RAW_DSN"], min_size=10, max_size=10
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if pool is not None:
                    await pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    assert pool is not None
    if scope["path"] == "/healthz":
        await _send(send, 200, b'{"status":"ok"}')
        return
    headers = dict(scope["headers"])
    token = headers.get(b"authorization", b"").removeprefix(b"Bearer ")
    path, method = scope["path"], scope["method"]
    async with pool.acquire() as conn:
        key = await conn.fetchrow(AUTH_SQL, hashlib.sha256(token).hexdigest())
        if key is None:
            await _send(send, 401, b'{"detail":"unauthorized"}')
            return
        if method == "GET" and (match := TASK_PATH.match(path)):
            row = await conn.fetchrow(TASK_SQL, int(match.group(1)))
            await _send(send, 200 if row else 404, _encode(row) if row else b"{}")
        elif method == "GET" and path == "/api/v1/tasks":
            query = dict(p.split("=") for p in scope["query_string"].decode().split("&") if p)
            rows = await conn.fetch(PAGE_SQL, int(query["plan_id"]), int(query["limit"]) + 1)
            items = b",".join(_encode(r) for r in rows[: int(query["limit"])])
            await _send(send, 200, b'{"items":[' + items + b'],"next_cursor":null}')
        elif method == "POST" and path == "/api/v1/indicator-reports":
            body = orjson.loads(await _read_body(receive))
            period = parse_period(body["period"])
            async with conn.transaction():
                await conn.fetchrow(INDICATOR_SQL, body["indicator_id"])
                row = await conn.fetchrow(
                    INSERT_SQL,
                    body["indicator_id"],
                    body["unit_id"],
                    str(period),
                    period.starts_on,
                    period.ends_on,
                    body["value"],
                    body.get("note", ""),
                    "submitted",
                    key["id"],
                )
            await _send(send, 201, _encode(row))
        else:
            await _send(send, 404, b"{}")
