"""Parsing and storing the seed notice, against parsing alone, in one run.

    python bench/import_seed.py [--repeat 20]

Uses DATABASE_URL's server if set, else an embedded one; creates and drops its own database.
Each store runs in a transaction that is rolled back, so every round imports afresh.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from common import ROOT, scratch_database
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

import app.models  # noqa: F401
from app.imports.document import Document
from app.imports.parser import parse_notice
from app.imports.service import parse, store
from app.settings import async_database_url

SEED = ROOT / "tests" / "imports" / "fixtures" / "henan-sta-2024-work-plan.txt"


async def run(dsn: str, repeat: int) -> None:
    text = SEED.read_text("utf-8")
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
                structure = parse(Document((text,)))
                record = await store(session, structure=structure, filename="seed.txt")
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
    with scratch_database() as dsn:
        asyncio.run(run(dsn, args.repeat))


if __name__ == "__main__":
    main()
