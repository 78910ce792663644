"""What every benchmark needs: a scratch database and a running service to load."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import EmbeddedPostgres, migrate  # noqa: E402

KEY = "lsk_bench_" + uuid.uuid4().hex


async def create_admin_key(conn: asyncpg.Connection) -> int:
    """Store ``KEY`` as an admin key, as `luoshi api-key create` would; returns its id."""
    return int(
        await conn.fetchval(
            "INSERT INTO api_keys (name, role, prefix, key_hash) "
            "VALUES ('bench', 'admin', $1, $2) RETURNING id",
            KEY[:12],
            hashlib.sha256(KEY.encode()).hexdigest(),
        )
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_kind() -> str:
    return "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded"


@contextmanager
def scratch_database() -> Iterator[str]:
    """A migrated database of its own on DATABASE_URL's server, or on an embedded one; dropped
    afterwards. Yields its plain ``postgresql://`` URL."""
    tmp = tempfile.TemporaryDirectory(prefix="luoshi-bench-")
    embedded = None
    server_url = os.environ.get("DATABASE_URL")
    if server_url is None:
        embedded = EmbeddedPostgres(Path(tmp.name), database="postgres")
        server_url = embedded.start()
    admin = server_url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"luoshi_bench_{uuid.uuid4().hex[:8]}"

    async def admin_sql(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    dsn = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(migrate(dsn))
        yield dsn
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if embedded is not None:
            embedded.stop()
        tmp.cleanup()


def start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """Run a server and wait until its /healthz answers."""
    proc = subprocess.Popen(
        cmd, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "died") from None
            time.sleep(0.25)
    raise RuntimeError(f"server on {port} did not start")


def start_service(
    dsn: str, port: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`luoshi serve` on the database, as operators run it."""
    return start(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        {
            "DATABASE_URL": dsn,
            "LUOSHI_LOG_LEVEL": "WARNING",
            "LUOSHI_MIGRATE_ON_START": "false",
            # Counted as always, but high enough never to refuse the load.
            "LUOSHI_RATE_LIMIT_PER_MINUTE": str(10**9),
            **(extra_env or {}),
        },
        port,
    )


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
