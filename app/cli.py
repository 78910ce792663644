"""The ``luoshi`` command: serve, migrate; and, against a running service over HTTP, import
notices, upload records and manage API keys."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app import remote
from app.i18n import DEFAULT, Catalog, Language, negotiate, say, speaking
from app.remote import DEFAULT_URL
from app.settings import get_settings

T = TypeVar("T")

cli = typer.Typer(help="Luoshi (落实): follow a government work plan through to the end.")
api_key_cli = typer.Typer(help="Manage API keys.")
cli.add_typer(api_key_cli, name="api-key")
events_cli = typer.Typer(help="Follow what changes in the service.")
cli.add_typer(events_cli, name="events")
console = Console()
notes = Console(stderr=True)  # what is not data: a piped `events tail` stays one event a line


# Every sentence the command prints, in one place (see app/i18n.py): Chinese by default, English
# with LUOSHI_LANGUAGE=en (or --language en). Rich markup stays in the templates; codes, field
# names, options and environment variables are not translated.
TEXT: Catalog = {
    "starting_embedded": (
        "[bold]正在启动内置 PostgreSQL[/]，数据目录：{path}",
        "[bold]Starting embedded PostgreSQL[/] in {path}",
    ),
    "migrated": (
        "[green]数据库已是最新版本。[/]",
        "[green]Database is at the latest migration.[/]",
    ),
    # Talking to the service (upload, import, api-key create)
    "need_key": ("请用 --key 或 LUOSHI_API_KEY 给出 API 密钥", "give --key or set LUOSHI_API_KEY"),
    "url_needs_key": (
        "--url 指定了服务：请同时给出该服务的管理员密钥（--key 或 LUOSHI_API_KEY）",
        "--url names a service: give an admin key for it too (--key or LUOSHI_API_KEY)",
    ),
    "unreachable": (
        "[red]无法连接 {url} 上的服务：[/]{error}。`luoshi serve` 是否在那里运行？"
        "请用 --url 或 LUOSHI_URL 给出它的地址。",
        "[red]Cannot reach the service at {url}:[/] {error}. Is `luoshi serve` running there? "
        "Give its address with --url or LUOSHI_URL.",
    ),
    "refused": ("[red]{title}：[/]{detail}", "[red]{title}:[/] {detail}"),
    "refused_title": ("被拒绝", "Refused"),
    "message_column": ("说明", "message"),
    "failed": ("[red]{error}[/]", "[red]{error}[/]"),
    "errors_title": ("需要修改", "What to fix"),
    # api-key create
    "bad_role": ("角色须为以下之一：{roles}", "role must be one of {roles}"),
    "no_unit": ("没有代码为“{code}”的单位", "no unit with code '{code}'"),
    "new_key": (
        "[bold]新的 API 密钥（只显示这一次，请立即妥善保存）：[/]",
        "[bold]New API key (shown once, store it now):[/]",
    ),
    "written_directly": ("已直接写入 {where}。", "Written directly to {where}."),
    "database_unreachable": (
        "[red]无法打开 {where}：[/]{error}",
        "[red]Cannot open {where}:[/] {error}",
    ),
    "no_database": (
        "[red]未找到落实数据库：[/]{where} 不存在，未创建任何内容。\n"
        "如要通过运行中的服务创建密钥，请给出服务地址和管理员密钥："
        "luoshi api-key create --name 名称 --url 地址 --key 管理员密钥（或设置 LUOSHI_URL 和 "
        "LUOSHI_API_KEY）。\n"
        "如要创建第一个管理员密钥，请设置 LUOSHI_BOOTSTRAP_ADMIN_KEY 后启动服务，或在服务保存数据"
        "的地方运行本命令：把 DATABASE_URL 设为它的数据库，或把 LUOSHI_DATA_DIR 设为它的数据目录。",
        "[red]No Luoshi database found:[/] {where} does not exist. Nothing was created.\n"
        "To create a key through the running service, give its address and an admin key: "
        "luoshi api-key create --name NAME --url URL --key ADMIN_KEY (or set LUOSHI_URL and "
        "LUOSHI_API_KEY).\n"
        "For the first admin key, start the service with LUOSHI_BOOTSTRAP_ADMIN_KEY set, or run "
        "this command where the service keeps its data: set DATABASE_URL to its database, or "
        "LUOSHI_DATA_DIR to its data directory.",
    ),
    "empty_database": (
        "[red]不是落实数据库：[/]{where} 中没有落实的数据表，未写入任何内容。\n"
        "请把 DATABASE_URL 指向服务的数据库，或先在那里运行 `luoshi migrate`。",
        "[red]Not a Luoshi database:[/] {where} has no Luoshi tables. Nothing was written.\n"
        "Point DATABASE_URL at the service's database, or run `luoshi migrate` there first.",
    ),
    # import
    "imported": (
        "[green]已导入为计划 {id}（{code}）：[/]{title}（{year}年，{doc_number}）",
        "[green]Imported as plan {id} ({code}):[/] {title} ({year}, {doc_number})",
    ),
    "previewed": (
        "[bold]{title}[/]（{year}年，{doc_number}） [dim]试导入：未保存任何内容[/]",
        "[bold]{title}[/] ({year}, {doc_number}) [dim]dry run: nothing stored[/]",
    ),
    "already_imported": (
        "[yellow]已导入为计划 {id}（{code}）：[/]再次导入将被拒绝。",
        "[yellow]Already imported as plan {id} ({code}):[/] importing it again will be refused.",
    ),
    "no_doc_number": ("无文号", "no document number"),
    "summary_what": ("项目", "what"),
    "summary_count": ("数量", "count"),
    "summary_sections": ("部分", "sections"),
    "summary_key_tasks": ("重点工作", "key tasks"),
    "summary_work_points": ("工作要点", "work points"),
    "summary_subtasks": ("子任务", "subtasks"),
    "summary_units_matched": ("匹配到的已有单位", "units matched"),
    "summary_units_created": ("新建单位", "units created"),
    "summary_responsibilities": ("责任分工", "responsibilities"),
    "summary_indicators": ("指标", "indicators"),
    "summary_milestones": ("时间节点", "milestones"),
    "summary_related_links": ("重点工作与工作要点的关联", "related links"),
    "task_warnings": (
        "[yellow]逐项核对（共{count}条提示）：[/]",
        "[yellow]To check, task by task ({count} warnings):[/]",
    ),
    "task": ("[bold]{code} {number}[/] {title}", "[bold]{code} {number}[/] {title}"),
    "task_warning": ("  · {warning}", "  · {warning}"),
    "warning": ("[yellow]提示：[/]{warning}", "[yellow]warning:[/] {warning}"),
    # upload
    "checking": ("（检查中）", " (checking)"),
    "upload_failed": ("[red]上传失败：[/]{error}", "[red]Upload failed:[/] {error}"),
    "upload_dry_run": ("（试运行：未写入任何内容）", " (dry run: nothing written)"),
    "upload_already": ("（此前已上传：本次未写入）", " (already applied: nothing written now)"),
    "upload_already_note": (
        "[yellow]此前已上传：[/]该文件之前上传过，本次未写入任何内容。以下数字是首次上传的结果。",
        "[yellow]Already applied:[/] this file was uploaded before; nothing was written "
        "now. The counts are those of the first upload.",
    ),
    "upload_partly_replayed": (
        "[yellow]{chunks}批中有{replayed}批此前已写入[/]（其数字是首次上传的结果），其余为本次写入。",
        "[yellow]{replayed} of {chunks} chunks had been applied before[/] "
        "(their counts are those of the first upload); the rest were written now.",
    ),
    "upload_total": ("合计", "total"),
    "upload_created": ("新建", "created"),
    "upload_updated": ("更新", "updated"),
    "upload_unchanged": ("未变", "unchanged"),
    "upload_failed_rows": ("失败", "failed"),
    "bad_rows_title": ("未写入的行", "Rows not written"),
    "bad_language": ("LUOSHI_LANGUAGE 须为 zh 或 en", "LUOSHI_LANGUAGE must be zh or en"),
    # events tail
    "event_line": (
        "{occurred_at}  {type}  {entity}#{id}  {actor}  {fields}",
        "{occurred_at}  {type}  {entity}#{id}  {actor}  {fields}",
    ),
    "tail_resume": (
        "[dim]从此处继续：--after {cursor}[/]",
        "[dim]To carry on from here: --after {cursor}[/]",
    ),
}
UPLOAD_COLUMNS = {
    "total": "upload_total",
    "created": "upload_created",
    "updated": "upload_updated",
    "unchanged": "upload_unchanged",
    "failed": "upload_failed_rows",
}


def text(key: str, **values: object) -> str:
    """One of ``TEXT``'s sentences in the command's language, the values as they are."""
    return say(TEXT, key, **values)


def show(key: str, **values: object) -> None:
    """Print one of ``TEXT``'s sentences; the values are shown as they are (no markup), and a
    long line is not broken inside a path or URL."""
    console.print(text(key, **{k: escape(str(v)) for k, v in values.items()}), soft_wrap=True)


def _language(value: str | None) -> Language:
    """``zh``, ``en`` or a tag of either (``en-US``, ``zh_CN.UTF-8``); Chinese when not given."""
    if not value:
        return DEFAULT
    tag = value.split(".")[0].replace("_", "-").strip().lower()
    if tag.split("-")[0] not in ("zh", "en"):
        raise typer.BadParameter(text("bad_language"), param_hint="--language")
    return negotiate(tag)


@cli.callback()
def main_options(
    ctx: typer.Context,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            envvar="LUOSHI_LANGUAGE",
            metavar="zh|en",
            help="zh (default) or en: the language of what the command prints, and of the "
            "warnings the service sends back.",
        ),
    ] = None,
) -> None:
    """Luoshi (落实): follow a government work plan through to the end."""
    # Set for the whole command (and the requests it makes), reset when it ends.
    ctx.with_resource(speaking(_language(language)))


ServiceUrl = Annotated[str, typer.Option(envvar="LUOSHI_URL", help="The service's base URL.")]
ServiceKey = Annotated[str, typer.Option(envvar="LUOSHI_API_KEY", help="API key.")]


def need_key(key: str) -> None:
    if not key:
        raise typer.BadParameter(text("need_key"), param_hint="--key")


def call_service(url: str, work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` against the service; its refusal or absence is printed and exits 1."""
    try:
        return asyncio.run(work)
    except remote.Refused as exc:
        print_problem(exc.problem)
        raise typer.Exit(1) from None
    except httpx.TransportError as exc:
        show("unreachable", url=url, error=str(exc) or type(exc).__name__)
        raise typer.Exit(1) from None


def print_problem(problem: dict[str, Any]) -> None:
    """A problem document as a person reads it: title, detail, and what to fix, if listed."""
    title = problem.get("title") or text("refused_title")
    show("refused", title=title, detail=problem.get("detail") or "")
    errors = problem.get("errors") or []
    print_errors(errors, title=text("bad_rows_title") if any("row" in e for e in errors) else None)


def print_errors(errors: list[dict[str, Any]], *, title: str | None = None) -> None:
    if not errors:
        return
    # Upload rows have row/field/code/message; validation errors have pointer/detail.
    names = [n for n in ("row", "pointer", "field", "code") if any(n in e for e in errors)]
    table = Table(title=title or text("errors_title"))
    for name in (*names, text("message_column")):
        table.add_column(name)
    for error in errors:
        table.add_row(
            *(escape(str(error.get(n, ""))) for n in names),
            escape(str(error.get("message") or error.get("detail") or "")),
        )
    console.print(table)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the API. Without DATABASE_URL, an embedded PostgreSQL is started in LUOSHI_DATA_DIR."""
    import uvicorn

    from app.db import EmbeddedPostgres
    from app.logs import configure_logging
    from app.main import create_app

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    embedded = None
    if settings.database_url is None:
        show("starting_embedded", path=settings.data_dir.resolve())
        embedded = EmbeddedPostgres(settings.data_dir)
        url = embedded.start()
    else:
        url = settings.database_url.get_secret_value()
    # uvicorn re-raises SIGTERM after its graceful shutdown; turn it into SystemExit so the
    # `finally` below still stops the embedded server (container stop, systemd, Ctrl-C alike).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        app = create_app(settings=settings, database_url=url, embedded=embedded)
        uvicorn.run(app, host=host, port=port, log_config=None, proxy_headers=True)
    finally:
        if embedded is not None:
            embedded.stop()


@cli.command()
def migrate() -> None:
    """Apply database migrations (under an advisory lock) and exit."""
    from app.db import migrate as run_migrations
    from app.db import resolve_database_url

    url = resolve_database_url(get_settings())
    asyncio.run(run_migrations(url))
    show("migrated")


@api_key_cli.command("create")
def create_api_key(
    name: Annotated[str, typer.Option(help="Who or what will use the key.")],
    role: Annotated[str, typer.Option(help="admin, supervisor, reporter or reader.")] = "admin",
    unit: Annotated[
        str | None, typer.Option(help="Unit code the key reports for (reporter keys).")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(envvar="LUOSHI_URL", help=f"The service's base URL (default {DEFAULT_URL})."),
    ] = None,
    key: Annotated[
        str,
        typer.Option(
            envvar="LUOSHI_API_KEY",
            help="An admin key of the running service, which then creates the key. Without "
            "one, the key is written straight into an existing Luoshi database (DATABASE_URL, "
            "or the embedded one in LUOSHI_DATA_DIR): for the first admin key.",
        ),
    ] = "",
) -> None:
    """Create an API key and print it once; only its hash is stored. With --key, the running
    service at --url creates it; without, it is written into an existing Luoshi database (for
    the first admin key), and nothing happens if there is none."""
    from app.auth.models import ROLES

    if role not in ROLES:
        raise typer.BadParameter(text("bad_role", roles=", ".join(ROLES)), param_hint="--role")
    if key:
        from app.auth import client as auth_client

        try:
            url = url or DEFAULT_URL
            created = call_service(
                url,
                auth_client.create_key(url=url, key=key, name=name, role=role, unit_code=unit),
            )
        except auth_client.UnknownUnit as exc:
            raise typer.BadParameter(text("no_unit", code=exc.code), param_hint="--unit") from None
        secret = str(created["key"])
    else:
        if url:
            raise typer.BadParameter(text("url_needs_key"), param_hint="--key")
        secret = _create_key_in_database(name=name, role=role, unit=unit)
    show("new_key")
    print(secret)


def _create_key_in_database(*, name: str, role: str, unit: str | None) -> str:
    """The bootstrap path: no service to ask yet, so write into its database, which must exist
    already; an empty embedded one would be a key nobody's service ever sees."""
    from sqlalchemy import select
    from sqlalchemy.exc import DBAPIError

    from app.auth import service as auth_service
    from app.db import (
        NoDatabase,
        describe_database,
        existing_database_url,
        make_engine,
        make_sessionmaker,
    )
    from app.errors import AppError
    from app.units.models import Unit

    settings = get_settings()

    async def create() -> str:
        url = await existing_database_url(settings)
        engine = make_engine(url, settings)
        try:
            async with make_sessionmaker(engine)() as session:
                unit_id = None
                if unit is not None:
                    unit_id = await session.scalar(select(Unit.id).where(Unit.code == unit))
                    if unit_id is None:
                        raise typer.BadParameter(text("no_unit", code=unit), param_hint="--unit")
                _, secret = await auth_service.issue_api_key(
                    session, name=name, role=role, unit_id=unit_id, expires_at=None
                )
                await session.commit()
                return secret
        finally:
            await engine.dispose()

    try:
        secret = asyncio.run(create())
    except NoDatabase as exc:
        show("empty_database" if exc.empty else "no_database", where=exc.where)
        raise typer.Exit(1) from None
    except RuntimeError as exc:  # no embedded server in this installation
        show("failed", error=exc)
        raise typer.Exit(1) from None
    except (OSError, DBAPIError) as exc:
        show("database_unreachable", where=describe_database(settings), error=exc)
        raise typer.Exit(1) from None
    except AppError as exc:
        raise typer.BadParameter(exc.detail) from exc
    show("written_directly", where=describe_database(settings))
    return secret


@cli.command("import")
def import_notice(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help=".txt, .csv, .docx, .xlsx or .pdf"),
    ],
    url: ServiceUrl = DEFAULT_URL,
    key: ServiceKey = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Parse and show; store nothing.")
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(min=1949, max=2200, help="The plan's year, when the notice does not say it."),
    ] = None,
) -> None:
    """Send a work-plan notice to the running service to import, and print what it became."""
    from app.imports import client as import_client

    need_key(key)
    outcome = call_service(
        url, import_client.import_file(url=url, key=key, path=file, dry_run=dry_run, year=year)
    )
    plan = {
        "title": outcome.title,
        "year": outcome.year,
        "doc_number": outcome.doc_number or text("no_doc_number"),
    }
    if outcome.stored:
        show("imported", id=outcome.plan_id, code=outcome.plan_code, **plan)
    else:
        show("previewed", **plan)
        if outcome.plan_id is not None:
            show("already_imported", id=outcome.plan_id, code=outcome.plan_code)
    table = Table(title=escape(file.name))
    table.add_column(text("summary_what"))
    table.add_column(text("summary_count"), justify="right")
    for name, value in outcome.summary.items():
        label = text(f"summary_{name}") if f"summary_{name}" in TEXT else escape(name)
        table.add_row(label, str(value))
    console.print(table)
    for warning in outcome.warnings:
        show("warning", warning=warning)
    if outcome.task_warnings:
        show("task_warnings", count=sum(len(t.warnings) for t in outcome.task_warnings))
        for task in outcome.task_warnings:
            title = task.title if len(task.title) <= 40 else task.title[:39] + "…"
            show("task", code=task.code, number=task.number, title=title)
            for warning in task.warnings:
                show("task_warning", warning=warning)


@events_cli.command("tail")
def tail_events(
    url: ServiceUrl = DEFAULT_URL,
    key: ServiceKey = "",
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help="Only these event types (repeatable): indicator_report.updated, task.*, …",
        ),
    ] = None,
    after: Annotated[
        str | None, typer.Option(help="Start after this cursor (printed when tail stops).")
    ] = None,
    follow: Annotated[
        bool, typer.Option(help="Keep waiting for new events; --no-follow stops at the end.")
    ] = True,
) -> None:
    """Print the service's change feed, one line per event, and keep following it (Ctrl-C
    stops and prints the cursor to carry on from)."""
    from app.events import client as events_client

    need_key(key)
    position = events_client.Position(cursor=after)

    async def run() -> None:
        pages = events_client.follow(
            url=url, key=key, types=type_ or [], position=position, keep_going=follow
        )
        async for page in pages:
            for event in page:
                show(
                    "event_line",
                    occurred_at=event["occurred_at"],
                    type=event["type"],
                    entity=event["entity"]["type"],
                    id=event["entity"]["id"],
                    actor=event["actor"]["name"],
                    fields=events_client.fields_of(event),
                )

    try:
        call_service(url, run())
    except KeyboardInterrupt:
        pass
    finally:
        if position.cursor:
            notes.print(text("tail_resume", cursor=escape(position.cursor)))


@cli.command("upload")
def upload(
    resource: Annotated[
        str,
        typer.Argument(
            help="units, tasks, responsibilities, milestones, indicators or indicator-reports."
        ),
    ],
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help=".csv, .ndjson, .jsonl, .json, .xlsx"),
    ],
    url: ServiceUrl = DEFAULT_URL,
    key: ServiceKey = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count only.")] = False,
    no_atomic: Annotated[
        bool, typer.Option("--no-atomic", help="Write the good rows; list the bad ones.")
    ] = False,
    mode: Annotated[str, typer.Option(help="upsert, create or update.")] = "upsert",
    chunk_rows: Annotated[int, typer.Option(min=1, help="Rows per request.")] = 20_000,
) -> None:
    """Upload a file of records in chunks, with retries; print the summary and every bad row."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from app.bulk import client

    need_key(key)
    parts = list(client.chunks(file, chunk_rows))
    phases = client.passes(atomic=not no_atomic, dry_run=dry_run, chunk_count=len(parts))
    rows = sum(p.rows for p in parts)

    async def upload_with_bars() -> client.Totals:
        # The bars close before anything else is printed: a live display still running would
        # be drawn again below the error table when it stops.
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
        ) as bar:
            tasks = {
                phase: bar.add_task(
                    escape(f"{file.name} → {resource}")
                    + (text("checking") if phase == "check" else ""),
                    total=rows or None,
                )
                for phase in phases
            }
            return await client.upload_file(
                url=url,
                key=key,
                resource=resource,
                path=file,
                dry_run=dry_run,
                atomic=not no_atomic,
                mode=mode,
                rows_per_chunk=chunk_rows,
                on_chunk=lambda chunk, phase: bar.advance(tasks[phase], chunk.rows),
            )

    try:
        totals = call_service(url, upload_with_bars())
    except (OSError, ValueError) as exc:
        show("upload_failed", error=exc)
        raise typer.Exit(1) from None
    note = text("upload_dry_run") if dry_run else ""
    if totals.replayed and totals.replayed == totals.chunks and not dry_run:
        note = text("upload_already")
        show("upload_already_note")
    elif totals.replayed and not dry_run:
        show("upload_partly_replayed", replayed=totals.replayed, chunks=totals.chunks)
    table = Table(title=escape(f"{file.name}{note}"))
    for key in UPLOAD_COLUMNS.values():
        table.add_column(text(key), justify="right")
    table.add_row(*(str(getattr(totals, name)) for name in UPLOAD_COLUMNS))
    console.print(table)
    print_errors(totals.errors, title=text("bad_rows_title"))
    if totals.failed:
        raise typer.Exit(1)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
