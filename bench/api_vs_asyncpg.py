"""Requests/s of the service against a bare asyncpg ASGI app doing the same SQL, in one run.

    python bench/api_vs_asyncpg.py [--seconds 10] [--connections 16]

Needs `wrk` (Debian package). Uses DATABASE_URL's server if set, else an embedded one; either
way it creates and drops its own database. Prints requests/s for both and the ratio per
scenario: GET one task, GET a 50-task page, POST an indicator report.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import asyncpg
from common import (
    KEY,
    ROOT,
    create_admin_key,
    database_kind,
    free_port,
    scratch_database,
    start,
    start_service,
    stop,
)

GOALS = {"GET one task": 0.5, "GET 50-task page": 0.5, "POST a report": 0.4}
UNITS = 200_000


async def seed(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        await create_admin_key(conn)
        plan_id = await conn.fetchval(
            "INSERT INTO plans (code, title, year, status) VALUES ('B', 'bench', 2024, 'active') "
            "RETURNING id"
        )
        await conn.copy_records_to_table(
            "tasks",
            records=[
                (plan_id, "work_point", str(i), f"工作要点{i}", "描述" * 40) for i in range(1, 201)
            ],
            columns=["plan_id", "kind", "number", "title", "description"],
        )
        task_id = await conn.fetchval("SELECT min(id) FROM tasks")
        indicator_id = await conn.fetchval(
            "INSERT INTO indicators (task_id, plan_id, code, name, comparator, target_value, "
            "frequency) VALUES ($1, $2, 'I1', '场次', 'gte', 200, 'quarterly') RETURNING id",
            task_id,
            plan_id,
        )
        await conn.copy_records_to_table(
            "units",
            records=[(f"B{i}", f"单位{i}", "society") for i in range(UNITS)],
            columns=["code", "name", "kind"],
        )
        first_unit = await conn.fetchval("SELECT min(id) FROM units")
        await conn.execute("ANALYZE")
        return {
            "plan": plan_id,
            "task": task_id + 100,
            "indicator": indicator_id,
            "unit": first_unit,
        }
    finally:
        await conn.close()


def post_script(path: Path, indicator: int, first_unit: int) -> None:
    path.write_text(
        textwrap.dedent(
            f"""
            counter = 0
            request = function()
              counter = counter + 1
              local body = string.format(
                '{{"indicator_id": {indicator}, "unit_id": %d, "period": "2024Q1", "value": 1}}',
                {first_unit} + counter)
              return wrk.format("POST", "/api/v1/indicator-reports",
                {{["Authorization"] = "Bearer {KEY}", ["Content-Type"] = "application/json"}}, body)
            end
            """
        )
    )


def wrk(url: str, seconds: int, connections: int, script: Path | None) -> tuple[float, int]:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-H", f"Authorization: Bearer {KEY}"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(bad.group(1)) if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    procs: list[subprocess.Popen[bytes]] = []
    with scratch_database() as dsn, tempfile.TemporaryDirectory() as scripts_dir:
        try:
            ids = asyncio.run(seed(dsn))
            service_port, raw_port = free_port(), free_port()
            procs.append(start_service(dsn, service_port))
            raw_app = [sys.executable, "-m", "uvicorn", "bench.raw_asyncpg_app:app"]
            raw_flags = ["--port", str(raw_port), "--log-level", "warning", "--no-access-log"]
            procs.append(
                start(
                    raw_app + raw_flags,
                    {"BENCH_RAW_DSN": dsn, "PYTHONPATH": str(ROOT)},
                    raw_port,
                )
            )
            run(args, ids, Path(scripts_dir), service_port, raw_port)
        finally:
            stop(procs)


def run(
    args: argparse.Namespace, ids: dict[str, int], scripts: Path, service_port: int, raw_port: int
) -> None:
    post_service, post_raw = scripts / "post_service.lua", scripts / "post_raw.lua"
    post_script(post_service, ids["indicator"], ids["unit"])
    post_script(post_raw, ids["indicator"], ids["unit"] + UNITS // 2)
    scenarios = [
        ("GET one task", f"/api/v1/tasks/{ids['task']}", None, None),
        ("GET 50-task page", f"/api/v1/tasks?plan_id={ids['plan']}&limit=50", None, None),
        ("POST a report", "/api/v1/indicator-reports", post_service, post_raw),
    ]
    print(
        f"{args.seconds}s per run, {args.connections} connections, wrk -t1, "
        f"{os.cpu_count()} cores; database: {database_kind()}"
    )
    print(f"{'scenario':<18} {'service r/s':>12} {'raw r/s':>10} {'ratio':>7} {'goal':>6}  errors")
    for title, path, service_script, raw_script in scenarios:
        wrk(f"http://127.0.0.1:{service_port}{path}", 2, args.connections, service_script)
        wrk(f"http://127.0.0.1:{raw_port}{path}", 2, args.connections, raw_script)
        if service_script is not None:  # the warm-up used the same unit ids: move past them
            post_script(post_service, ids["indicator"], ids["unit"] + 50_000)
            post_script(post_raw, ids["indicator"], ids["unit"] + UNITS // 2 + 50_000)
        service_rps, service_bad = wrk(
            f"http://127.0.0.1:{service_port}{path}", args.seconds, args.connections, service_script
        )
        raw_rps, raw_bad = wrk(
            f"http://127.0.0.1:{raw_port}{path}", args.seconds, args.connections, raw_script
        )
        ratio = service_rps / raw_rps if raw_rps else float("nan")
        print(
            f"{title:<18} {service_rps:>12.0f} {raw_rps:>10.0f} {ratio:>7.2f} "
            f"{GOALS[title]:>6.2f}  {service_bad}/{raw_bad} non-2xx"
        )


if __name__ == "__main__":
    main()
