"""Parsing and storing the seed notice, against parsing alone, in one run.

    python bench/import_seed.py [--repeat 20]

Uses DATABASE_URL's server if set, else an embedded one; creates and drops its own database.
Each store runs in a transaction that is rolled back, so every round imports afresh.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine  # noqa: E402

import app.models  # noqa: E402, F401
from app.db import EmbeddedPostgres, migrate  # noqa: E402
from app.imports.parser import parse_notice  # noqa: E402
from app.imports.service import store_notice  # noqa: E402
from app.settings import async_database_url  # noqa: E402

SEED = ROOT / "tests" / "imports" / "fixtures" / "henan-sta-2024-work-plan.txt"


async def run(dsn: str, repeat: int) -> None:
    text = SEED.read_text("utf-8")
    await migrate(dsn)
    engine = create_async_engine(async_database_url(dsn))
    parse_times, store_times = [], []
    try:
        for _ in range(repeat + 2):
            start = time.perf_counter()
            parse_notice(text)
            parse_times.append(time.perf_counter() - start)
            async with engine.connect() as conn:
                transaction = await conn.begin()
                session = AsyncSession(bind=conn, expire_on_commit=False)
                start = time.perf_counter()
                record = await store_notice(session, text=text, filename="seed.txt")
                await session.flush()
                store_times.append(time.perf_counter() - start)
                await transaction.rollback()
    finally:
        await engine.dispose()
    parse_times, store_times = parse_times[2:], store_times[2:]  # first rounds warm caches
    print(f"seed: {len(text)} characters → {record.summary}")
    for label, times in (("parse only", parse_times), ("parse + store", store_times)):
        print(
            f"{label:<14} median {statistics.median(times) * 1e3:7.1f} ms   "
            f"min {min(times) * 1e3:7.1f} ms   ({len(times)} rounds)"
        )
    print(f"storing adds {statistics.median(store_times) / statistics.median(parse_times):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="luoshi-bench-")
    embedded = None
    server = os.environ.get("DATABASE_URL")
    if server is None:
        embedded = EmbeddedPostgres(Path(tmp.name), database="postgres")
        server = embedded.start()
    admin = server.replace("postgresql+asyncpg://", "postgresql://")
    name = f"luoshi_bench_{uuid.uuid4().hex[:8]}"

    async def admin_sql(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        dsn = make_url(admin).set(database=name).render_as_string(hide_password=False)
        asyncio.run(run(dsn, args.repeat))
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if embedded is not None:
            embedded.stop()
        tmp.cleanup()


if __name__ == "__main__":
    main()
