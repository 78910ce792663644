"""Where a GET's time goes: one request through each layer the service adds, in one run.

    python bench/request_layers.py [--seconds 8] [--connections 16]

On one seeded database (``api_vs_asyncpg``'s), loads GET one task with wrk on: the bare asyncpg
ASGI handler; FastAPI with one dependency on an asyncpg pool; the same behind the service's
middlewares; the same with the connection from SQLAlchemy's pool; the service itself. Prints
requests/s and each one's ratio to the bare handler: what each layer costs, and so which ratio
a design keeping it can reach.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys

from api_vs_asyncpg import seed, wrk
from common import ROOT, database_kind, free_port, scratch_database, start, start_service, stop

LAYERS = (
    ("bare asyncpg ASGI handler", "bench.raw_asyncpg_app:app", None),
    ("FastAPI, 1 dependency, asyncpg pool", "bench.layers_app:app", "fastapi"),
    ("  + the service's middlewares", "bench.layers_app:app", "middleware"),
    ("  + SQLAlchemy's pool", "bench.layers_app:app", "sqlalchemy"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    procs: list[subprocess.Popen[bytes]] = []
    with scratch_database() as dsn:
        try:
            ids = asyncio.run(seed(dsn))
            ports = []
            for _, app, layers in LAYERS:
                port = free_port()
                env = {"BENCH_RAW_DSN": dsn, "PYTHONPATH": str(ROOT)}
                if layers is not None:
                    env["BENCH_LAYERS"] = layers
                flags = ["--port", str(port), "--log-level", "warning", "--no-access-log"]
                procs.append(start([sys.executable, "-m", "uvicorn", app, *flags], env, port))
                ports.append(port)
            ports.append(free_port())
            procs.append(start_service(dsn, ports[-1]))
            names = [name for name, _, _ in LAYERS] + ["the service (all of it)"]
            path = f"/api/v1/tasks/{ids['task']}"
            print(
                f"GET one task, {args.seconds}s per run, {args.connections} connections, "
                f"{os.cpu_count()} cores; database: {database_kind()}"
            )
            for port in ports:  # warm-up: imports, pools, prepared statements
                wrk(f"http://127.0.0.1:{port}{path}", 2, args.connections, None)
            base = 0.0
            for name, port in zip(names, ports, strict=True):
                rps, bad = wrk(
                    f"http://127.0.0.1:{port}{path}", args.seconds, args.connections, None
                )
                base = base or rps
                print(f"{name:<38} {rps:>8.0f} r/s  {rps / base:>5.2f}  {bad} non-2xx")
        finally:
            stop(procs)


if __name__ == "__main__":
    main()
