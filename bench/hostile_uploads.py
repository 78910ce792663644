"""How long /healthz waits while the service refuses each hostile upload.

    python bench/hostile_uploads.py [--polls-per-second 50]

Starts `luoshi serve` on a scratch database, then, for each file of tests/fixtures/hostile/
(made by scripts/make_hostile_files.py) and each route that reads it, sends the upload while
another client asks /healthz as fast as it answers. Prints the upload's status and time and
/healthz's median and worst latency meanwhile, against /healthz alone in the same run
(the baseline). The goal: worst /healthz under 100 ms while any upload is being refused.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import asyncpg
import httpx
from common import KEY, ROOT, create_admin_key, free_port, scratch_database, start_service, stop

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {".xlsx": XLSX, ".csv": "text/csv", ".docx": "application/octet-stream"}
MEDIA[".pdf"] = "application/pdf"


async def poll(base: str, stop: asyncio.Event, interval: float) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.get("/healthz")
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(interval)
    return latencies


async def during(base: str, send: object, interval: float) -> tuple[str, float, list[float]]:
    stop_polling = asyncio.Event()
    poller = asyncio.create_task(poll(base, stop_polling, interval))
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    status = await send()  # type: ignore[operator]
    elapsed = time.perf_counter() - started
    await asyncio.sleep(0.1)
    stop_polling.set()
    return status, elapsed, await poller


def line(label: str, status: str, elapsed: float, latencies: list[float]) -> str:
    median = statistics.median(latencies) * 1e3
    worst = max(latencies) * 1e3
    return (
        f"{label:<34} {status:>6} {elapsed * 1e3:8.0f} ms   healthz median {median:6.1f} ms"
        f"  worst {worst:7.1f} ms  ({len(latencies)} polls)"
    )


async def run(base: str, interval: float) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=300) as client:

        async def idle() -> str:
            await asyncio.sleep(2)
            return "-"

        # Warm up: the first upload of each kind imports its libraries (openpyxl, docx, pdf).
        for path in sorted(HOSTILE.iterdir()):
            media = MEDIA[path.suffix]
            await client.post("/api/v1/plan-imports", files={"file": (path.name, b"x", media)})
        print(line("baseline (no upload)", *await during(base, idle, interval)))
        for path in sorted(HOSTILE.iterdir()):
            data, media = path.read_bytes(), MEDIA[path.suffix]

            async def to_import(data: bytes = data, media: str = media, name: str = path.name):
                response = await client.post(
                    "/api/v1/plan-imports", files={"file": (name, data, media)}
                )
                return str(response.status_code)

            print(line(f"plan-imports {path.name}", *await during(base, to_import, interval)))
            if path.suffix in (".xlsx", ".csv"):

                async def to_bulk(data: bytes = data, media: str = media) -> str:
                    response = await client.post(
                        "/api/v1/bulk/units", content=data, headers={"Content-Type": media}
                    )
                    return str(response.status_code)

                print(line(f"bulk/units {path.name}", *await during(base, to_bulk, interval)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--polls-per-second", type=float, default=50)
    args = parser.parse_args()
    with scratch_database() as dsn:

        async def key() -> None:
            conn = await asyncpg.connect(dsn)
            try:
                await create_admin_key(conn)
            finally:
                await conn.close()

        asyncio.run(key())
        port = free_port()
        server = start_service(dsn, port)
        try:
            asyncio.run(run(f"http://127.0.0.1:{port}", 1 / args.polls_per_second))
        finally:
            stop([server])


if __name__ == "__main__":
    main()
