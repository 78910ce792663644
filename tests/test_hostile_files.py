"""Hostile files (tests/fixtures/hostile/, made by scripts/make_hostile_files.py): small on the
wire, expensive to read naively. Each upload route refuses them with a 4xx that says why, and
nothing is written. How long other requests wait meanwhile: bench/hostile_uploads.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.bulk.jobs import run_job
from app.bulk.models import BulkJob
from app.plans.models import Plan
from app.units.models import Unit
from tests.bulk.test_jobs import sessions_on

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {".xlsx": XLSX, ".csv": "text/csv", ".docx": "application/octet-stream"}
MEDIA[".pdf"] = "application/pdf"
FILES = sorted(p.name for p in HOSTILE.iterdir())


def test_the_hostile_files_are_there() -> None:
    assert set(FILES) == {
        "blank-rows.xlsx",
        "bomb.docx",
        "flate-bomb.pdf",
        "giant-cell.xlsx",
        "mixed.csv",
    }


@pytest.mark.parametrize("name", FILES)
async def test_notice_import_refuses_it(client: AsyncClient, db: AsyncSession, name: str) -> None:
    data = (HOSTILE / name).read_bytes()
    response = await client.post(
        "/api/v1/plan-imports", files={"file": (name, data, MEDIA[Path(name).suffix])}
    )
    assert response.status_code in (413, 415, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]
    assert await db.scalar(select(func.count()).select_from(Plan)) == 0


@pytest.mark.parametrize("name", ["blank-rows.xlsx", "giant-cell.xlsx", "mixed.csv"])
async def test_bulk_upload_refuses_it(client: AsyncClient, db: AsyncSession, name: str) -> None:
    data = (HOSTILE / name).read_bytes()
    response = await client.post(
        "/api/v1/bulk/units", content=data, headers={"Content-Type": MEDIA[Path(name).suffix]}
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "unreadable_body"
    assert await db.scalar(select(func.count()).select_from(Unit)) == 0


@pytest.mark.parametrize("name", ["blank-rows.xlsx", "giant-cell.xlsx"])
async def test_a_queued_bulk_job_fails_on_it(
    client: AsyncClient, db: AsyncSession, connection: AsyncConnection, name: str
) -> None:
    response = await client.post(
        "/api/v1/bulk/units",
        content=(HOSTILE / name).read_bytes(),
        headers={"Content-Type": XLSX},
        params={"async": "true"},
    )
    assert response.status_code == 202, response.text
    await run_job(sessions_on(connection), response.json()["id"], max_rows=1_000_000)
    job = await db.get(BulkJob, response.json()["id"])
    assert job is not None
    await db.refresh(job)
    assert (job.status, job.problem["code"]) == ("failed", "unreadable_body")
    assert await db.scalar(select(func.count()).select_from(Unit)) == 0
