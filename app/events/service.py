"""The change feed, read from the audit trail in transaction order.

Order and completeness come from the writing transaction's id (``audit_events.xid``, 64-bit,
never wrapping): an event is served only once its xid is below the reader's snapshot xmin, the
oldest transaction still running. Below it every transaction has ended, so the events there are
final; any transaction still running, or yet to start, has an xid at or above it. Serving in
``(xid, id)`` order and resuming after the last ``(xid, id)`` served therefore never skips an
event whose transaction began earlier but committed later, and never repeats one. The price: an
event waits for every older write transaction to end (a long bulk upload holds the feed back
for its duration).

A page that reaches the end moves the cursor up to ``(xmin, 0)``: everything below xmin has been
looked at, so a filtered reader does not scan the same history again on its next read.

A plan or unit filter needs each event's task, unit and plan, which takes joins: they run over
the next chunk of events in order (an index range), and the read goes on chunk by chunk until
the page is full, so a page costs what it scans, never the whole rest of the table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.audit import service as audit_service
from app.auth.scope import reporter_unit, responsible_task_ids
from app.auth.service import Principal
from app.errors import InvalidInput
from app.events.listener import POLL_SECONDS, EventListener
from app.events.naming import TypeFilter, event_type, parse_types
from app.events.schemas import EventQuery
from app.fastpath import driver_connection
from app.pagination import MAX_LIMIT, decode_key_cursor, encode_key_cursor

START = (0, 0)
# How soon to look again when committed events wait on an older transaction: those end without
# a notification of their own when they wrote no audit event.
PENDING_POLL_SECONDS = 0.05
# How many events a filtered read resolves (task, unit, plan) per query at most: it starts with
# a page's worth and grows while the filter passes few.
MAX_CHUNK = 20_000


@dataclass(frozen=True)
class UnitScope:
    """Events about a unit, its reports, and the tasks it is responsible for."""

    unit_id: int
    task_ids: tuple[int, ...]


@dataclass(frozen=True)
class Feed:
    after: tuple[int, int]
    limit: int
    types: TypeFilter | None = None
    plan_id: int | None = None
    scopes: tuple[UnitScope, ...] = ()


@dataclass(frozen=True)
class FeedPage:
    events: list[dict[str, Any]]
    after: tuple[int, int]  # where the next read starts
    pending: bool  # committed events exist that wait on an older transaction
    xids: list[int] = field(default_factory=list)  # each event's transaction, in step

    @property
    def next_cursor(self) -> str:
        return encode_after(self.after)


def encode_after(after: tuple[int, int]) -> str:
    return encode_key_cursor(after)


def decode_after(cursor: str | None) -> tuple[int, int]:
    if cursor is None:
        return START
    xid, last_id = decode_key_cursor(cursor, 2)
    try:
        values = (int(xid), int(last_id))
    except ValueError:
        values = (-1, -1)
    if not all(0 <= v < 2**63 for v in values):
        raise InvalidInput(
            "cursor is not one this service issued",
            errors=[{"parameter": "after", "detail": "unknown cursor"}],
        )
    return values


async def feed_of(session: AsyncSession, *, query: EventQuery, actor: Principal) -> Feed:
    """The feed a request asks for, narrowed to what its key may see; 422 for a bad cursor or
    type."""
    types = None
    if query.type:
        try:
            types = parse_types(query.type, audit_service.entity_types())
        except ValueError as exc:
            raise InvalidInput(
                f"{str(exc)!r} is not an event type (entity.action, e.g. "
                "indicator_report.updated, or entity.* for all of one entity type)",
                errors=[{"parameter": "type", "detail": "unknown event type"}],
            ) from None
    scopes = []
    for unit in (reporter_unit(actor), query.unit_id):
        if unit is not None:
            tasks = await responsible_task_ids(session, unit)
            scopes.append(UnitScope(unit, tuple(sorted(tasks))))
    return Feed(
        after=decode_after(query.after),
        limit=min(query.limit, MAX_LIMIT),
        types=types,
        plan_id=query.plan_id,
        scopes=tuple(scopes),
    )


def _key(column: str, row: str) -> str:
    """A record's reference: from the event (a create's or an update's new value, a delete's
    old one), else the record as it is now, else the record's delete event."""
    return (
        f"COALESCE((e.changes #>> '{{{column},1}}')::bigint, "
        f"(e.changes #>> '{{{column},0}}')::bigint, {row}.{column}, "
        f"(d.changes #>> '{{{column},0}}')::bigint)"
    )


_XMIN = "pg_snapshot_xmin(pg_current_snapshot())"

# The task, unit and plan each event is about, for scopes and filters.
_RESOLVE = f"""
LEFT JOIN tasks t ON e.entity_type = 'task' AND t.id = e.entity_id
LEFT JOIN indicators i ON e.entity_type = 'indicator' AND i.id = e.entity_id
LEFT JOIN milestones m ON e.entity_type = 'milestone' AND m.id = e.entity_id
LEFT JOIN responsibilities r ON e.entity_type = 'responsibility' AND r.id = e.entity_id
LEFT JOIN task_progress_updates pu ON e.entity_type = 'progress_update' AND pu.id = e.entity_id
LEFT JOIN indicator_reports ir ON e.entity_type = 'indicator_report' AND ir.id = e.entity_id
LEFT JOIN plan_imports pi ON e.entity_type = 'plan_import' AND pi.id = e.entity_id
LEFT JOIN reminders rm ON e.entity_type = 'reminder' AND rm.id = e.entity_id
LEFT JOIN LATERAL (SELECT d.changes FROM audit_events d WHERE e.action <> 'delete'
    AND d.entity_type = e.entity_type AND d.entity_id = e.entity_id AND d.action = 'delete'
    LIMIT 1) d ON true
CROSS JOIN LATERAL (SELECT
    CASE e.entity_type
        WHEN 'task' THEN e.entity_id
        WHEN 'indicator' THEN {_key("task_id", "i")}
        WHEN 'milestone' THEN {_key("task_id", "m")}
        WHEN 'responsibility' THEN {_key("task_id", "r")}
        WHEN 'progress_update' THEN {_key("task_id", "pu")}
        WHEN 'indicator_report' THEN
            (SELECT x.task_id FROM indicators x WHERE x.id = {_key("indicator_id", "ir")})
        WHEN 'obligation' THEN (SELECT x.task_id FROM indicators x
            WHERE x.id = (e.changes #>> '{{indicator_id,1}}')::bigint)
    END AS task_id,
    CASE e.entity_type
        WHEN 'unit' THEN e.entity_id
        WHEN 'indicator_report' THEN {_key("unit_id", "ir")}
        WHEN 'responsibility' THEN {_key("unit_id", "r")}
        WHEN 'progress_update' THEN {_key("unit_id", "pu")}
        WHEN 'reminder' THEN {_key("unit_id", "rm")}
        WHEN 'obligation' THEN (e.changes #>> '{{unit_id,1}}')::bigint
        WHEN 'bulk_upload' THEN (e.changes #>> '{{unit_id,1}}')::bigint
    END AS unit_id,
    CASE e.entity_type
        WHEN 'plan' THEN e.entity_id
        WHEN 'task' THEN {_key("plan_id", "t")}
        WHEN 'indicator' THEN {_key("plan_id", "i")}
        WHEN 'plan_import' THEN {_key("plan_id", "pi")}
        WHEN 'reminder' THEN {_key("plan_id", "rm")}
    END AS plan_id
) k
"""


def _sql(feed: Feed, chunk: int = 0) -> tuple[str, list[Any]]:
    params: list[Any] = [feed.after[0], feed.after[1], feed.limit + 1]

    def bind(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    where = []
    if feed.types is not None:
        wholes, pairs = bind(list(feed.types.entity_types)), bind(list(feed.types.stored_types))
        where.append(
            f"(e.entity_type = ANY({wholes}::text[]) "
            f"OR e.entity_type || '.' || e.action = ANY({pairs}::text[]))"
        )
    if feed.plan_id is not None:
        plan = bind(feed.plan_id)
        where.append(
            f"COALESCE(k.plan_id, (SELECT tp.plan_id FROM tasks tp WHERE tp.id = k.task_id)) "
            f"= {plan}"
        )
    for scope in feed.scopes:
        # A unit's reports, reminders and obligations are its own; another unit's on a shared
        # task are not.
        unit, tasks = bind(scope.unit_id), bind(list(scope.task_ids))
        where.append(
            f"COALESCE(CASE WHEN e.entity_type IN "
            f"('indicator_report', 'unit', 'reminder', 'obligation', 'bulk_upload') "
            f"THEN k.unit_id = {unit} ELSE k.task_id = ANY({tasks}::bigint[]) END, false)"
        )
    filters = "".join(f" AND {w}" for w in where)
    columns = """e.id, e.xid, e.occurred_at, e.actor_key_id, e.actor_name, e.action,
        e.entity_type, e.entity_id, e.changes::text AS changes, e.request_id"""
    # The snapshot's xmin is written out, not taken from ``s``: so each use is an index bound.
    pending = f"""EXISTS (SELECT 1 FROM audit_events p
            WHERE p.xid >= {_XMIN} AND (p.xid, p.id) > ($1::xid8, $2::bigint)) AS pending"""
    if feed.plan_id is None and not feed.scopes:
        # Nothing to resolve: the page is the next rows of the (xid, id) index that pass.
        return (
            f"""
WITH s AS (SELECT {_XMIN} AS xmin)
SELECT s.xmin, {pending}, NULL::xid8 AS scanned_xid, NULL::bigint AS scanned_id,
    0 AS scanned, page.*
FROM s LEFT JOIN LATERAL (
    SELECT {columns} FROM audit_events e
    WHERE e.xid < s.xmin AND (e.xid, e.id) > ($1::xid8, $2::bigint){filters}
    ORDER BY e.xid, e.id LIMIT $3
) page ON true
ORDER BY page.xid, page.id
""",
            params,
        )
    # Resolving each event's task, unit and plan costs joins: done over the next ``chunk``
    # events in order only (an index range), never over the whole rest of the table. The
    # caller reads on from where the chunk ended while the page is not full.
    size = bind(chunk)
    return (
        f"""
WITH s AS (SELECT {_XMIN} AS xmin),
chunk AS MATERIALIZED (
    SELECT c.* FROM audit_events c
    WHERE c.xid < {_XMIN} AND (c.xid, c.id) > ($1::xid8, $2::bigint)
    ORDER BY c.xid, c.id LIMIT {size}
),
last AS (SELECT c.xid, c.id, (SELECT count(*) FROM chunk) AS scanned
         FROM chunk c ORDER BY c.xid DESC, c.id DESC LIMIT 1)
SELECT s.xmin, {pending}, last.xid AS scanned_xid, last.id AS scanned_id,
    COALESCE(last.scanned, 0) AS scanned, page.*
FROM s LEFT JOIN last ON true LEFT JOIN LATERAL (
    SELECT {columns} FROM chunk e {_RESOLVE}
    WHERE true{filters}
    ORDER BY e.xid, e.id LIMIT $3
) page ON true
ORDER BY page.xid, page.id
""",
        params,
    )


def event_of(row: Any) -> dict[str, Any]:
    """An ``audit_events`` row as the feed shows it. ``changes`` read as text stays the JSON the
    database wrote (an ``orjson.Fragment``): never parsed, only copied into the answer."""
    changes = row["changes"]
    return {
        "id": row["id"],
        "type": event_type(row["entity_type"], row["action"]),
        "occurred_at": row["occurred_at"],
        "actor": {"key_id": row["actor_key_id"], "name": row["actor_name"]},
        "entity": {"type": row["entity_type"], "id": row["entity_id"]},
        "changes": orjson.Fragment(changes) if isinstance(changes, str | bytes) else changes,
        "request_id": row["request_id"],
    }


async def read_page(session: AsyncSession, *, feed: Feed) -> FeedPage:
    """The next final events after ``feed.after``, at most ``feed.limit``."""
    bind = session.bind
    conn = bind if isinstance(bind, AsyncConnection) else await session.connection()
    driver = await driver_connection(conn)
    found: list[Any] = []
    after = feed.after
    chunk = feed.limit + 1
    while True:
        sql, params = _sql(replace(feed, after=after, limit=feed.limit - len(found)), chunk)
        rows = await driver.fetch(sql, *params)
        head = rows[0]
        found += [row for row in rows if row["id"] is not None]
        if len(found) > feed.limit:
            found = found[: feed.limit]
            after = (found[-1]["xid"], found[-1]["id"])
            break
        if head["scanned"] < chunk:  # the end: everything below xmin has been looked at
            after = max(after, (head["xmin"], 0))
            break
        after = (head["scanned_xid"], head["scanned_id"])  # a full chunk: read on from there
        chunk = min(chunk * 4, MAX_CHUNK)
    events = [event_of(r) for r in found]
    return FeedPage(events, after, head["pending"], [r["xid"] for r in found])


async def list_events(
    session: AsyncSession,
    *,
    feed: Feed,
    wait: float,
    listener: EventListener | None,
    sessions: Callable[[], AsyncSession] | None,
    release: Callable[[], Awaitable[None]],
) -> FeedPage:
    """A page of the feed; with ``wait``, an empty one only once ``wait`` seconds passed with
    nothing new. While it waits it holds no database connection (``release`` gives the
    request's back; each look afterwards borrows one from ``sessions`` for one query)."""
    since = listener.generation if listener is not None else 0  # before reading: no lost wake-up
    page = await read_page(session, feed=feed)
    if page.events or wait <= 0 or listener is None or sessions is None:
        return page
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    delay = PENDING_POLL_SECONDS
    async with listener.waiting():
        await release()
        while (left := deadline - loop.time()) > 0:
            if page.pending:
                await asyncio.sleep(min(delay, left))
                delay = min(delay * 2, POLL_SECONDS)
            else:
                await listener.wait(since, left)
            since = listener.generation
            async with sessions() as fresh:
                page = await read_page(fresh, feed=replace(feed, after=page.after))
            if page.events:
                break
    return page
