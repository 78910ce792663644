"""Change feed read rate, and what the feed's xid column and NOTIFY trigger add to one write.

    python bench/events_feed.py [--rows 100000] [--writes 300]

Uses DATABASE_URL's server if set, else an embedded one, in a database of its own. A bulk
upload of `--rows` indicator reports makes as many audit events; the feed is then read to the
end over HTTP at limit 500 (unfiltered, and filtered by plan, which resolves each event's
plan), against a raw asyncpg keyset scan of the same table (`ORDER BY id LIMIT 500`) as
baseline. Then `--writes` single creates (POST /units) are timed with the xid column's
default, its index and the trigger in place, and with them removed, alternating rounds.
Figures only: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

import asyncpg
import httpx
from bulk_reports import INDICATORS, QUARTERS, ndjson, rows, seed, upload
from common import KEY, database_kind, free_port, scratch_database, start_service, stop

PAGE = 500


def read_feed(port: int, **params: str) -> tuple[int, float]:
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=120,
    ) as client:
        count, after = 0, None
        started = time.perf_counter()
        while True:
            query = {"limit": str(PAGE), **params, **({"after": after} if after else {})}
            page = client.get("/api/v1/events", params=query).raise_for_status().json()
            count += len(page["items"])
            after = page["next_cursor"]
            if not page["items"]:
                return count, time.perf_counter() - started


async def keyset_baseline(dsn: str) -> tuple[int, float]:
    conn = await asyncpg.connect(dsn)
    try:
        count, last = 0, 0
        started = time.perf_counter()
        while True:
            page = await conn.fetch(
                "SELECT id, occurred_at, actor_key_id, actor_name, action, entity_type, "
                "entity_id, changes, request_id FROM audit_events WHERE id > $1 "
                "ORDER BY id LIMIT $2",
                last,
                PAGE,
            )
            if not page:
                return count, time.perf_counter() - started
            count += len(page)
            last = page[-1]["id"]
    finally:
        await conn.close()


def creates(port: int, writes: int, round_: int) -> float:
    """Seconds per POST /units, sequential, over one keep-alive connection."""
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {KEY}"}
    ) as client:
        started = time.perf_counter()
        for n in range(writes):
            body = {"code": f"W{round_}-{n}", "name": f"单位{n}", "kind": "department"}
            client.post("/api/v1/units", json=body).raise_for_status()
        return (time.perf_counter() - started) / writes


_WITHOUT = [
    "DROP TRIGGER audit_events_notify ON audit_events",
    "DROP INDEX ix_audit_events_xid",
    "ALTER TABLE audit_events ALTER COLUMN xid DROP DEFAULT, ALTER COLUMN xid DROP NOT NULL",
]
_WITH = [
    "ALTER TABLE audit_events ALTER COLUMN xid SET DEFAULT pg_current_xact_id()",
    "CREATE INDEX ix_audit_events_xid ON audit_events (xid, id)",
    "CREATE TRIGGER audit_events_notify AFTER INSERT ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION luoshi_notify_events()",
]


async def sql(dsn: str, statements: list[str]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=300)
    args = parser.parse_args()
    units = -(-args.rows // (INDICATORS * len(QUARTERS)))
    with scratch_database() as dsn:
        proc = None
        try:
            ids = asyncio.run(seed(dsn, units))
            port = free_port()
            proc = start_service(dsn, port, {"LUOSHI_BULK_WORKER": "false"})
            upload_seconds, summary = upload(port, ndjson(rows(args.rows)))
            assert summary["created"] == args.rows, summary
            asyncio.run(sql(dsn, ["VACUUM ANALYZE audit_events"]))
            read_feed(port, limit="50")  # warm-up
            feed_count, feed_seconds = read_feed(port)
            plan_count, plan_seconds = read_feed(port, plan_id=str(ids["plan"]))
            base_count, base_seconds = asyncio.run(keyset_baseline(dsn))
            feed_rate, base_rate = feed_count / feed_seconds, base_count / base_seconds
            plan_rate = plan_count / plan_seconds
            print(
                f"{feed_count} events (bulk upload of {args.rows} reports took "
                f"{upload_seconds:.1f} s), pages of {PAGE}, {os.cpu_count()} cores; "
                f"database: {database_kind()}"
            )
            print(f"{'read path':<44} {'seconds':>8} {'events/s':>10}")
            print(f"{'GET /events over HTTP':<44} {feed_seconds:>8.2f} {feed_rate:>10.0f}")
            print(
                f"{'GET /events?plan_id= (scope resolved)':<44} {plan_seconds:>8.2f} "
                f"{plan_rate:>10.0f}"
            )
            print(
                f"{'raw asyncpg keyset ORDER BY id LIMIT 500':<44} {base_seconds:>8.2f} "
                f"{base_rate:>10.0f}"
            )
            print(
                f"ratio feed/baseline {feed_rate / base_rate:.2f}, "
                f"plan-filtered/baseline {plan_rate / base_rate:.2f}"
            )

            creates(port, 50, 0)  # warm-up
            timings: dict[str, list[float]] = {"with": [], "without": []}
            for round_ in range(1, 7):
                state = "with" if round_ % 2 else "without"
                asyncio.run(sql(dsn, _WITHOUT if state == "without" else []))
                timings[state].append(creates(port, args.writes, round_))
                asyncio.run(sql(dsn, _WITH if state == "without" else []))
            with_ms = statistics.median(timings["with"]) * 1000
            without_ms = statistics.median(timings["without"]) * 1000
            print(
                f"single write (POST /units, {args.writes} × 3 rounds each, median): "
                f"{with_ms:.2f} ms with xid + index + NOTIFY, {without_ms:.2f} ms without: "
                f"{(with_ms / without_ms - 1) * 100:+.1f} %"
            )
        finally:
            if proc is not None:
                stop([proc])


if __name__ == "__main__":
    main()
