"""The ``luoshi`` command: serve, migrate, manage API keys."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.settings import get_settings

cli = typer.Typer(help="Luoshi (落实): follow a government work plan through to the end.")
api_key_cli = typer.Typer(help="Manage API keys.")
cli.add_typer(api_key_cli, name="api-key")
console = Console()


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
        console.print(f"[bold]Starting embedded PostgreSQL[/] in {settings.data_dir.resolve()}")
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
    console.print("[green]Database is at the latest migration.[/]")


@api_key_cli.command("create")
def create_api_key(
    name: Annotated[str, typer.Option(help="Who or what will use the key.")],
    role: Annotated[str, typer.Option(help="admin, supervisor, reporter or reader.")] = "admin",
    unit: Annotated[
        str | None, typer.Option(help="Unit code the key reports for (reporter keys).")
    ] = None,
) -> None:
    """Create an API key and print it once; only its hash is stored."""
    from sqlalchemy import select

    from app.auth import service as auth_service
    from app.auth.models import ROLES
    from app.db import make_engine, make_sessionmaker, resolve_database_url
    from app.db import migrate as migrate_database
    from app.errors import AppError
    from app.units.models import Unit

    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}", param_hint="--role")
    settings = get_settings()
    url = resolve_database_url(settings)

    async def create() -> str:
        await migrate_database(url)
        engine = make_engine(url, settings)
        try:
            async with make_sessionmaker(engine)() as session:
                unit_id = None
                if unit is not None:
                    unit_id = await session.scalar(select(Unit.id).where(Unit.code == unit))
                    if unit_id is None:
                        raise typer.BadParameter(f"no unit with code {unit!r}", param_hint="--unit")
                _, secret = await auth_service.issue_api_key(
                    session, name=name, role=role, unit_id=unit_id, expires_at=None
                )
                await session.commit()
                return secret
        finally:
            await engine.dispose()

    try:
        secret = asyncio.run(create())
    except AppError as exc:
        raise typer.BadParameter(exc.detail) from exc
    console.print("New API key (shown once, store it now):", style="bold")
    print(secret)


@cli.command("import")
def import_notice(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help=".txt, .csv, .docx, .xlsx or .pdf"),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Parse and show; store nothing.")
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(min=1949, max=2200, help="The plan's year, when the notice does not say it."),
    ] = None,
) -> None:
    """Import a work-plan notice and print what it became."""
    from rich.table import Table

    from app.db import make_engine, make_sessionmaker, resolve_database_url
    from app.db import migrate as migrate_database
    from app.errors import AppError
    from app.imports import service as import_service
    from app.imports.document import NoticeReadError
    from app.imports.readers import read_notice

    try:
        document = read_notice(file.read_bytes(), filename=file.name)
    except NoticeReadError as exc:
        raise typer.BadParameter(f"cannot read {file.name}: {exc}", param_hint="FILE") from exc
    settings = get_settings()
    url = resolve_database_url(settings)

    async def run() -> tuple[dict[str, int], list[str], int | None]:
        structure = import_service.parse(document, year=year)
        await migrate_database(url)
        engine = make_engine(url, settings)
        try:
            async with make_sessionmaker(engine)() as session:
                if dry_run:
                    preview = await import_service.preview(session, structure=structure)
                    summary = preview.summary.model_dump() if preview.summary else {}
                    return summary, preview.warnings, None
                record = await import_service.store(
                    session, structure=structure, filename=file.name
                )
                await session.commit()
                return record.summary, record.warnings, record.plan_id
        finally:
            await engine.dispose()

    try:
        summary, warnings, plan_id = asyncio.run(run())
    except AppError as exc:
        console.print(f"[red]{exc.title}:[/] {exc.detail}")
        raise typer.Exit(1) from exc
    table = Table(title=f"{file.name}" + (" (dry run: nothing stored)" if dry_run else ""))
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in summary.items():
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    if plan_id is not None:
        console.print(f"[green]Imported as plan {plan_id}.[/]")


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
    url: Annotated[
        str, typer.Option(envvar="LUOSHI_URL", help="The service's base URL.")
    ] = "http://127.0.0.1:8000",
    key: Annotated[str, typer.Option(envvar="LUOSHI_API_KEY", help="API key.")] = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count only.")] = False,
    no_atomic: Annotated[
        bool, typer.Option("--no-atomic", help="Write the good rows; list the bad ones.")
    ] = False,
    mode: Annotated[str, typer.Option(help="upsert, create or update.")] = "upsert",
    chunk_rows: Annotated[int, typer.Option(min=1, help="Rows per request.")] = 20_000,
) -> None:
    """Upload a file of records in chunks, with retries; print the summary and every bad row."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from app.bulk import client

    if not key:
        raise typer.BadParameter("give --key or set LUOSHI_API_KEY", param_hint="--key")
    parts = list(client.chunks(file, chunk_rows))
    phases = client.passes(atomic=not no_atomic, dry_run=dry_run, chunk_count=len(parts))
    rows = sum(p.rows for p in parts)
    # The outcome is printed once the bars are done: a live display still running would be
    # drawn again below the error table when it stops.
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
        ) as bar:
            tasks = {
                phase: bar.add_task(
                    f"{file.name} → {resource}" + (" (checking)" if phase == "check" else ""),
                    total=rows or None,
                )
                for phase in phases
            }
            totals = asyncio.run(
                client.upload_file(
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
            )
    except client.UploadFailed as exc:
        problem = exc.problem
        console.print(f"[red]{problem.get('title', 'Refused')}:[/] {problem.get('detail')}")
        _print_errors(
            [
                {**e, "row": e["row"] + exc.first_row - 1} if "row" in e else e
                for e in problem.get("errors") or []
            ],
            Table,
        )
        raise typer.Exit(1) from None
    except (OSError, ValueError) as exc:
        console.print(f"[red]Upload failed:[/] {exc}")
        raise typer.Exit(1) from None
    note = " (dry run: nothing written)" if dry_run else ""
    if totals.replayed and totals.replayed == totals.chunks and not dry_run:
        note = " (already applied: nothing written now)"
        console.print(
            "[yellow]Already applied:[/] this file was uploaded before; nothing was written "
            "now. The counts are those of the first upload."
        )
    elif totals.replayed and not dry_run:
        console.print(
            f"[yellow]{totals.replayed} of {totals.chunks} chunks had been applied before[/] "
            "(their counts are those of the first upload); the rest were written now."
        )
    table = Table(title=f"{file.name}{note}")
    for name in ("total", "created", "updated", "unchanged", "failed"):
        table.add_column(name, justify="right")
    table.add_row(
        *(str(getattr(totals, n)) for n in ("total", "created", "updated", "unchanged", "failed"))
    )
    console.print(table)
    _print_errors(totals.errors, Table)
    if totals.failed:
        raise typer.Exit(1)


def _print_errors(errors: list[dict[str, object]], table_class: type) -> None:
    if not errors:
        return
    table = table_class(title="Rows not written")
    for name in ("row", "field", "code", "message"):
        table.add_column(name)
    for error in errors:
        table.add_row(
            *(str(error.get(n, "")) for n in ("row", "field", "code")),
            str(error.get("message") or error.get("detail") or ""),
        )
    console.print(table)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
