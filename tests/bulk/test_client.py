"""`luoshi upload`'s client: a file in chunks, each with its key, row numbers of the whole file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from httpx import ASGITransport
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bulk import client
from app.units.models import Unit


async def upload_units(app: FastAPI, key: str, path: Path, **options: Any) -> client.Totals:
    """`luoshi upload units PATH` against the test app."""
    return await client.upload_file(
        url="http://test",
        key=key,
        resource="units",
        path=path,
        transport=ASGITransport(app=app),
        **options,
    )


def write_units(path: Path, codes: list[str]) -> Path:
    path.write_bytes(b"".join(orjson.dumps({"code": c, "name": c}) + b"\n" for c in codes))
    return path


async def test_chunks_add_up_and_errors_name_file_rows(
    app: FastAPI, admin_key: str, db: AsyncSession, tmp_path: Path
) -> None:
    path = write_units(tmp_path / "units.ndjson", ["C1", "C2", "C3", "bad code", "C5"])
    sent: list[int] = []
    totals = await upload_units(
        app,
        admin_key,
        path,
        atomic=False,
        rows_per_chunk=2,
        on_chunk=lambda chunk, phase: sent.append(chunk.rows),
    )
    assert sent == [2, 2, 1]
    assert (totals.total, totals.created, totals.failed) == (5, 4, 1)
    assert [(e["row"], e["field"]) for e in totals.errors] == [(4, "code")]
    codes = set(await db.scalars(select(Unit.code)))
    assert codes == {"C1", "C2", "C3", "C5"}


def test_csv_chunks_repeat_the_header(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("code,name\nA,甲\nB,乙\nC,丙\n", encoding="utf-8")
    parts = list(client.chunks(path, 2))
    assert [p.body.decode() for p in parts] == ["code,name\nA,甲\nB,乙\n", "code,name\nC,丙\n"]
    assert [p.first_row for p in parts] == [1, 3]


async def test_refused_chunk_raises_with_its_problem(
    app: FastAPI, admin_key: str, tmp_path: Path
) -> None:
    path = write_units(tmp_path / "units.ndjson", ["D1", "bad code"])
    with pytest.raises(client.UploadFailed) as refused:
        await upload_units(app, admin_key, path)
    assert refused.value.problem["code"] == "invalid_rows"


async def test_atomic_upload_in_chunks_writes_nothing_if_any_chunk_has_bad_rows(
    app: FastAPI, admin_key: str, db: AsyncSession, tmp_path: Path
) -> None:
    path = write_units(tmp_path / "units.ndjson", ["E1", "E2", "E3", "bad code", "E5", "bad 2"])
    with pytest.raises(client.UploadFailed) as refused:
        await upload_units(app, admin_key, path, rows_per_chunk=2)
    # every bad row of the file, numbered in the file, and not one row written
    assert [e["row"] for e in refused.value.problem["errors"]] == [4, 6]
    assert refused.value.first_row == 1
    assert not set(await db.scalars(select(Unit.code).where(Unit.code.like("E%"))))


async def test_atomic_upload_in_chunks_is_checked_then_written(
    app: FastAPI, admin_key: str, db: AsyncSession, tmp_path: Path
) -> None:
    path = write_units(tmp_path / "units.ndjson", ["F1", "F2", "F3"])
    seen: list[tuple[str, int]] = []
    totals = await upload_units(
        app,
        admin_key,
        path,
        rows_per_chunk=2,
        on_chunk=lambda chunk, phase: seen.append((phase, chunk.rows)),
    )
    assert seen == [("check", 2), ("check", 1), ("write", 2), ("write", 1)]
    assert (totals.total, totals.created) == (3, 3)
    assert set(await db.scalars(select(Unit.code).where(Unit.code.like("F%")))) == {
        "F1",
        "F2",
        "F3",
    }


async def test_a_parent_in_another_chunk_is_explained(
    app: FastAPI, admin_key: str, tmp_path: Path
) -> None:
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,parent\nH-G,组,group,\nH-M,成员,society,H-G\n")
    with pytest.raises(client.UploadFailed) as refused:
        await upload_units(app, admin_key, path, rows_per_chunk=1)
    assert "--chunk-rows 2" in refused.value.problem["detail"]
    totals = await upload_units(app, admin_key, path, rows_per_chunk=2)
    assert totals.created == 2  # in one chunk, the group and its member go together


async def test_a_second_run_of_the_same_file_is_known_as_already_applied(
    app: FastAPI, admin_key: str, db: AsyncSession, tmp_path: Path
) -> None:
    path = write_units(tmp_path / "units.ndjson", ["E1", "E2", "E3"])
    first = await upload_units(app, admin_key, path, rows_per_chunk=2)
    assert (first.created, first.chunks, first.replayed) == (3, 2, 0)
    again = await upload_units(app, admin_key, path, rows_per_chunk=2)
    assert (again.chunks, again.replayed) == (2, 2)  # the CLI says "already applied"
    assert len(set(await db.scalars(select(Unit.code)))) == 3
