"""NDJSON bulk upload of indicator reports through HTTP against raw asyncpg COPY, in one run.

    python bench/bulk_reports.py [--rows 100000]

Uses DATABASE_URL's server if set, else an embedded one; either way it creates and drops its
own database. The service is started as `luoshi serve` would run it; the upload is timed end
to end (send, parse, check, write, audit, commit, answer). The baseline COPYs the same rows,
already resolved to ids, into a table of the same shape (`LIKE indicator_reports INCLUDING
ALL`: same columns, defaults and indexes). Prints both rates and the ratio (goal ≥ 0.2).
A second baseline adds the real table's two foreign keys, which every write into it pays for
(row-by-row referential checks): the part of the gap that integrity, not our code, costs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import urllib.request
from datetime import date
from decimal import Decimal

import asyncpg
import orjson
from common import (
    KEY,
    create_admin_key,
    database_kind,
    free_port,
    scratch_database,
    start_service,
    stop,
)

INDICATORS = 25
QUARTERS = ((1, date(2024, 1, 1), date(2024, 3, 31)), (2, date(2024, 4, 1), date(2024, 6, 30)))
QUARTERS += ((3, date(2024, 7, 1), date(2024, 9, 30)), (4, date(2024, 10, 1), date(2024, 12, 31)))
GOAL = 0.2


async def seed(dsn: str, units: int) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        key_id = await create_admin_key(conn)
        plan_id = await conn.fetchval(
            "INSERT INTO plans (code, title, year, status) VALUES ('B', 'bench', 2024, 'active') "
            "RETURNING id"
        )
        task_id = await conn.fetchval(
            "INSERT INTO tasks (plan_id, kind, number, title) VALUES ($1, 'work_point', '1', 't') "
            "RETURNING id",
            plan_id,
        )
        await conn.copy_records_to_table(
            "indicators",
            records=[
                (task_id, plan_id, f"I{i}", f"指标{i}", "gte", Decimal(100), "quarterly")
                for i in range(INDICATORS)
            ],
            columns=[
                "task_id",
                "plan_id",
                "code",
                "name",
                "comparator",
                "target_value",
                "frequency",
            ],
        )
        # Every unit takes part in the task through its group (各全省学会), as most reporting
        # units do: the check that a report's unit is responsible walks up to the group.
        group_id = await conn.fetchval(
            "INSERT INTO units (code, name, kind) VALUES ('G', '各全省学会', 'group') RETURNING id"
        )
        await conn.execute(
            "INSERT INTO responsibilities (task_id, unit_id, role) VALUES ($1, $2, 'participant')",
            task_id,
            group_id,
        )
        await conn.copy_records_to_table(
            "units",
            records=[(f"U{i}", f"单位{i}", "society", group_id) for i in range(units)],
            columns=["code", "name", "kind", "parent_id"],
        )
        await conn.execute("ANALYZE")
        return {"key": key_id, "plan": plan_id}
    finally:
        await conn.close()


def rows(count: int) -> list[tuple[int, int, int, float]]:
    """(indicator number, unit number, quarter, value) for `count` distinct reports."""
    per_unit = INDICATORS * len(QUARTERS)
    return [
        (i % per_unit // len(QUARTERS), i // per_unit, i % len(QUARTERS) + 1, (i % 997) + 0.5)
        for i in range(count)
    ]


def ndjson(data: list[tuple[int, int, int, float]]) -> bytes:
    return b"".join(
        orjson.dumps(
            {
                "plan": "B",
                "indicator": f"I{ind}",
                "unit": f"U{unit}",
                "period": f"2024Q{quarter}",
                "value": value,
                "note": "",
            }
        )
        + b"\n"
        for ind, unit, quarter, value in data
    )


async def copy_baseline(
    dsn: str, data: list[tuple[int, int, int, float]], key_id: int, *, foreign_keys: bool = False
) -> float:
    """COPY the rows, resolved to ids, into a fresh table shaped like indicator_reports; with
    ``foreign_keys`` it also has the real table's two foreign keys (checked row by row)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DROP TABLE IF EXISTS bench_reports")
        await conn.execute("CREATE TABLE bench_reports (LIKE indicator_reports INCLUDING ALL)")
        if foreign_keys:
            await conn.execute(
                "ALTER TABLE bench_reports "
                "ADD FOREIGN KEY (indicator_id) REFERENCES indicators (id), "
                "ADD FOREIGN KEY (unit_id) REFERENCES units (id)"
            )
        indicator_ids = dict(await conn.fetch("SELECT code, id FROM indicators"))
        unit_ids = dict(await conn.fetch("SELECT code, id FROM units"))
        quarters = {q: (start, end) for q, start, end in QUARTERS}
        records = [
            (
                indicator_ids[f"I{ind}"],
                unit_ids[f"U{unit}"],
                f"2024Q{quarter}",
                *quarters[quarter],
                Decimal(repr(value)),
                "",
                "submitted",
                key_id,
            )
            for ind, unit, quarter, value in data
        ]
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table(
                "bench_reports",
                records=records,
                columns=[
                    "indicator_id",
                    "unit_id",
                    "period",
                    "period_start",
                    "period_end",
                    "value",
                    "note",
                    "status",
                    "submitted_by_key_id",
                ],
            )
        return time.perf_counter() - started
    finally:
        await conn.close()


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory so far (Linux ``VmHWM``)."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def upload(
    port: int, body: bytes, content_type: str = "application/x-ndjson"
) -> tuple[float, dict[str, object]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/bulk/indicator-reports",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": content_type},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 (loopback)
        summary = orjson.loads(response.read())
    return time.perf_counter() - started, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    units = -(-args.rows // (INDICATORS * len(QUARTERS)))

    with scratch_database() as dsn:
        proc = None
        try:
            ids = asyncio.run(seed(dsn, units))
            data = rows(args.rows)
            body = ndjson(data)
            port = free_port()
            proc = start_service(dsn, port, {"LUOSHI_BULK_WORKER": "false"})
            upload(port, ndjson(rows(100)))  # warm-up: imports, pools, prepared statements
            asyncio.run(admin_sql_in(dsn, "DELETE FROM indicator_reports"))
            memory = [peak_rss_mib(proc.pid)]
            api_seconds, summary = upload(port, body)
            memory.append(peak_rss_mib(proc.pid))
            assert (summary["created"], summary["failed"]) == (args.rows, 0), summary
            replay_seconds, replay = upload(port, body)
            array = b"[" + b",".join(body.splitlines()) + b"]"
            upload(port, array, "application/json")  # all unchanged: memory is the point
            memory.append(peak_rss_mib(proc.pid))
            copy_seconds = asyncio.run(copy_baseline(dsn, data, ids["key"]))
            fk_seconds = asyncio.run(copy_baseline(dsn, data, ids["key"], foreign_keys=True))
            api_rate, copy_rate = args.rows / api_seconds, args.rows / copy_seconds
            print(
                f"{args.rows} indicator reports, NDJSON {len(body) / 2**20:.1f} MiB, "
                f"{os.cpu_count()} cores; database: {database_kind()}"
            )
            print(f"{'path':<34} {'seconds':>8} {'rows/s':>10}")
            print(f"{'HTTP bulk upload (end to end)':<34} {api_seconds:>8.2f} {api_rate:>10.0f}")
            print(f"{'raw asyncpg COPY (same rows)':<34} {copy_seconds:>8.2f} {copy_rate:>10.0f}")
            fk_rate = args.rows / fk_seconds
            print(f"{'  … with the two foreign keys':<34} {fk_seconds:>8.2f} {fk_rate:>10.0f}")
            print(
                f"ratio {api_rate / copy_rate:.2f} (goal ≥ {GOAL}); {api_rate / fk_rate:.2f} "
                "against COPY that also checks the foreign keys"
            )
            print(
                f"replay of the same upload: {replay_seconds:.2f} s, "
                f"created {replay['created']}, updated {replay['updated']}, "
                f"unchanged {replay['unchanged']}"
            )
            print(f"first upload: created {summary['created']}, failed {summary['failed']}")
            print(
                f"service peak memory (RSS): {memory[0]:.0f} MiB before, {memory[1]:.0f} MiB "
                f"after the NDJSON upload, {memory[2]:.0f} MiB after the same rows as a JSON array"
            )
        finally:
            if proc is not None:
                stop([proc])


async def admin_sql_in(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
