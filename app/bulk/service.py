"""Bulk uploads: stage the rows with COPY, check and write them with a few set-based statements.

The flow, all in the caller's transaction (nothing here commits):
1. the body is parsed record by record and each cell converted by cheap code (``specs``);
2. valid records are copied in batches into a temporary table (``COPY``, binary);
3. one ``CREATE TABLE … AS SELECT`` joins them to the records they name (natural keys) and to
   the record each would change, with the values it would end up with;
4. per-row rules, duplicates, mode and access checks are one ``UNION ALL`` query of the misses;
5. one ``INSERT … SELECT`` and one ``UPDATE … FROM`` write what is new or changed, each with its
   audit events appended in the same statement.
Memory holds one batch of rows, never an ORM object per row.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock, fastpath
from app.audit import service as audit_service
from app.auth.scope import reporter_unit
from app.auth.service import Principal
from app.bulk import parsing
from app.bulk.spec import Column, FieldError, Spec, stage_columns
from app.errors import AppError, Forbidden, InvalidInput
from app.events.naming import BULK_UPLOAD

Mode = Literal["upsert", "create", "update"]
BATCH = 5000
MAX_DEPTH = 64  # levels of parents a unit or task may have (real trees have a handful)
Progress = Callable[[int], Awaitable[None]]


class UnreadableUpload(AppError):
    status, code, title = 400, "unreadable_body", "The body cannot be read"


class UnsupportedUpload(AppError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


class TooManyRows(AppError):
    status, code, title = 413, "too_many_rows", "Too many rows"


class UnknownColumns(InvalidInput):
    code, title = "unknown_columns", "Unknown columns"


class MissingColumns(InvalidInput):
    code, title = "missing_columns", "Missing columns"


class ConflictingRows(AppError):
    status, code, title = 409, "conflict", "Records changed while the upload ran"


class InvalidRows(InvalidInput):
    code, title = "invalid_rows", "Some rows are not valid"


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class Options:
    mode: Mode = "upsert"
    atomic: bool = True
    dry_run: bool = False


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)


def problem_items(errors: list[RowError]) -> list[dict[str, Any]]:
    """Row errors as items of a problem document (``detail`` for generic problem readers)."""
    return [
        {
            "row": e.row,
            "field": e.field,
            "code": e.code,
            "message": e.message,
            "detail": f"row {e.row}" + (f", {e.field}" if e.field else "") + f": {e.message}",
        }
        for e in errors
    ]


def check_may_upload(spec: Spec, actor: Principal) -> int | None:
    """403 unless the key may upload this resource; the unit a reporter is confined to."""
    scope_unit = reporter_unit(actor)
    if scope_unit is not None and not spec.reporter_may_upload:
        raise Forbidden(f"a reporter key may upload only indicator reports, not {spec.resource}")
    return scope_unit


def summary(resource: str, options: Options, outcome: Outcome) -> dict[str, Any]:
    """The response body of an upload (and a finished job's summary)."""
    return {
        "resource": resource,
        "mode": options.mode,
        "atomic": options.atomic,
        "dry_run": options.dry_run,
        "total": outcome.total,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "failed": outcome.failed,
        "errors": [vars(e) for e in outcome.errors],
    }


def read_format(content_type: str) -> tuple[str, str]:
    try:
        return parsing.media_type_of(content_type)
    except parsing.UnsupportedFormat as exc:
        raise UnsupportedUpload(str(exc)) from None


async def upload(
    session: AsyncSession,
    *,
    spec: Spec,
    data: bytes,
    content_type: str,
    options: Options,
    actor: Principal,
    max_rows: int,
    progress: Progress | None = None,
    job_id: int | None = None,
) -> Outcome:
    """Check every row of the upload and write the valid ones (all or none when atomic).

    An upload that wrote something also appends one ``bulk_upload.completed`` event, last in
    its transaction: webhooks announce the upload with it instead of a call per record."""
    scope_unit = check_may_upload(spec, actor)
    fmt, charset = read_format(content_type)
    try:
        if fmt == parsing.XLSX:  # a workbook is read whole, in a thread
            parsed = await asyncio.to_thread(parsing.parse, data, fmt, charset)
        else:  # text formats are read record by record as the rows are staged
            parsed = parsing.parse(data, fmt, charset)
    except parsing.UnreadableBody as exc:
        raise UnreadableUpload(str(exc)) from None
    present: set[str] = set()
    if parsed.header is not None:
        _check_header(spec, parsed.header)
        present = set(parsed.header)

    suffix = uuid.uuid4().hex[:12]
    stage, rows = f"bulk_stage_{suffix}", f"bulk_rows_{suffix}"
    staged = stage_columns(spec)
    await session.execute(
        text(
            f"CREATE TEMP TABLE {stage} (row integer NOT NULL, "
            + ", ".join(f"{name} {kind}" for name, kind in staged)
            + ") ON COMMIT DROP"
        )
    )
    outcome = Outcome()
    try:
        await _stage(
            session,
            spec,
            parsed,
            stage,
            [n for n, _ in staged],
            present,
            outcome,
            max_rows,
            progress,
        )
    except parsing.UnreadableBody as exc:
        raise UnreadableUpload(str(exc)) from None
    await session.execute(text(f"ANALYZE {stage}"))
    # Rules that date a completion bind :today, the offices' calendar day, as the API does.
    await session.execute(text(_resolve_sql(spec, stage, rows, present)), {"today": clock.today()})
    errors = outcome.errors + await _row_errors(session, spec, rows, options, scope_unit)
    if spec.tree:
        errors += await _tree_errors(session, spec, rows, {e.row for e in errors})
    errors.sort(key=lambda e: (e.row, e.field))
    outcome.errors = errors
    failed = sorted({e.row for e in errors})
    outcome.failed = len(failed)
    if errors and options.atomic and not options.dry_run:
        raise InvalidRows(
            f"{len(failed)} of {outcome.total} rows are not valid; nothing was written",
            errors=problem_items(errors),
        )
    if failed:
        await session.execute(
            text(f"DELETE FROM {rows} WHERE row = ANY(CAST(:rows AS integer[]))"),
            {"rows": failed},
        )
    counts = (
        await session.execute(
            text(
                "SELECT count(*) FILTER (WHERE target_id IS NULL) AS created, "
                "count(*) FILTER (WHERE changed) AS updated, "
                "count(*) FILTER (WHERE target_id IS NOT NULL AND NOT changed) AS unchanged "
                f"FROM {rows}"
            )
        )
    ).one()
    outcome.created, outcome.updated, outcome.unchanged = counts
    if not options.dry_run:
        await _write(session, spec, rows, actor)
        if outcome.created or outcome.updated:
            await _announce(session, spec, options, outcome, job_id=job_id, unit_id=scope_unit)
    await session.execute(text(f"DROP TABLE IF EXISTS {rows}, {stage}"))
    return outcome


async def _announce(
    session: AsyncSession,
    spec: Spec,
    options: Options,
    outcome: Outcome,
    *,
    job_id: int | None,
    unit_id: int | None,
) -> None:
    """The upload's own event (``bulk_upload.completed``): what it wrote, in counts; the job's
    id when it ran as one, the reporter's unit when a reporter sent it."""
    summary = {
        "resource": spec.resource,
        "mode": options.mode,
        "total": outcome.total,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "failed": outcome.failed,
        "job_id": job_id,
        "unit_id": unit_id,
    }
    await audit_service.record(
        session,
        action="complete",
        entity_type=BULK_UPLOAD,
        entity_id=job_id,
        changes={key: [None, value] for key, value in summary.items() if value is not None},
    )


def _check_header(spec: Spec, header: list[str]) -> None:
    unknown = [name for name in header if name not in spec.names]
    if unknown:
        raise UnknownColumns(
            f"unknown columns: {', '.join(unknown)}; {spec.resource} takes "
            f"{', '.join(f.name for f in spec.fields)}",
            errors=[{"field": name, "detail": "unknown column"} for name in unknown],
        )
    missing = [
        f.name
        for f in spec.fields
        if f.key and f.name not in header and not any(a in header for a in f.alternatives)
    ]
    if missing:
        raise MissingColumns(
            f"missing columns: {', '.join(missing)}",
            errors=[{"field": name, "detail": "required column"} for name in missing],
        )


async def asyncpg_connection(session: AsyncSession) -> Any:
    """The session's asyncpg connection, in its transaction (for COPY and pgqueuer)."""
    return await fastpath.driver_connection(await session.connection())


async def _stage(
    session: AsyncSession,
    spec: Spec,
    parsed: parsing.Parsed,
    stage: str,
    columns: list[str],
    present: set[str],
    outcome: Outcome,
    max_rows: int,
    progress: Progress | None,
) -> None:
    """Convert each record and COPY the good ones, a batch at a time."""
    driver = await asyncpg_connection(session)
    fields = [(f.name, f.convert, f.key, f.alternatives) for f in spec.fields]
    names = spec.names
    # Fields whose value is staged with derived columns (a period with its dates): where
    # the value sits in the record, how to split it, and how many columns it adds.
    splits = [
        (1 + i, f.split, len(f.derived)) for i, f in enumerate(spec.fields) if f.split is not None
    ]
    errors = outcome.errors
    unknown: set[str] = set()
    known_keys: frozenset[str] = frozenset()
    batch: list[tuple[Any, ...]] = []
    total = 0
    for row, values in parsed.records:
        total += 1
        if total > max_rows:
            raise TooManyRows(f"an upload may have at most {max_rows} rows")
        if isinstance(values, parsing.RowProblem):
            errors.append(RowError(row, "", values.code, values.message))
            continue
        if parsed.header is None:
            keys = values.keys()
            if keys != known_keys:
                extra = keys - names
                if extra:
                    unknown |= extra
                present.update(keys & names)
                known_keys = frozenset(keys)
        record: list[Any] = [row]
        bad = False
        for name, convert, key, alternatives in fields:
            raw = values.get(name)
            if raw is None or raw == "":
                if key and not any(values.get(a) not in (None, "") for a in alternatives):
                    errors.append(RowError(row, name, "required", "is required"))
                    bad = True
                record.append(None)
                continue
            try:
                record.append(convert(raw))
            except FieldError as exc:
                errors.append(RowError(row, name, exc.code, exc.message))
                bad = True
                record.append(None)
        if bad:
            continue
        for index, split, width in splits:
            value = record[index]
            if value is None:
                record += [None] * width
            else:
                record[index], *derived = split(value)
                record += derived
        batch.append(tuple(record))
        if len(batch) >= BATCH:
            await driver.copy_records_to_table(stage, records=batch, columns=["row", *columns])
            batch = []
            if progress is not None:
                await progress(total)
    if unknown:
        raise UnknownColumns(
            f"unknown columns: {', '.join(sorted(unknown))}; {spec.resource} takes "
            f"{', '.join(f.name for f in spec.fields)}",
            errors=[{"field": name, "detail": "unknown column"} for name in sorted(unknown)],
        )
    if batch:
        await driver.copy_records_to_table(stage, records=batch, columns=["row", *columns])
    outcome.total = total
    if progress is not None:
        await progress(total)


def _is_present(spec: Spec, column: Column, present: set[str]) -> bool:
    if column.field in present:
        return True
    alternatives = next((f.alternatives for f in spec.fields if f.name == column.field), ())
    return any(a in present for a in alternatives)


def _plain(spec: Spec, column: Column, present: set[str]) -> str:
    """The value the record ends up with: given, else kept, else the default."""
    name = column.name
    if column.nullable:
        return f"x.{name}" if _is_present(spec, column, present) else f"x.old_{name}"
    parts = [f"x.{name}", f"x.old_{name}"] + ([column.default] if column.default else [])
    return f"coalesce({', '.join(parts)})"


def _finals(spec: Spec, present: set[str]) -> dict[str, str]:
    """Each column's final value: the plain one unless the spec's rules override it."""
    plain = {c.name: _plain(spec, c, present) for c in spec.columns}
    finals = dict(plain)
    for name, override in spec.final.items():
        finals[name] = override if isinstance(override, str) else override(plain)
    return finals


def _resolve_sql(spec: Spec, stage: str, rows: str, present: set[str]) -> str:
    # The version read here is checked again by the UPDATE (see _write).
    olds = ", ".join(
        [*(f"t.{c.name} AS old_{c.name}" for c in spec.columns), "t.version AS old_version"]
    )
    final = _finals(spec, present)
    finals = ", ".join(f"{final[c.name]} AS f_{c.name}" for c in spec.columns)
    new = ", ".join(f"y.f_{c.name}" for c in spec.columns)
    old = ", ".join(f"y.old_{c.name}" for c in spec.columns)
    source = spec.source.replace("bulk_stage", stage)
    return (
        f"CREATE TEMP TABLE {rows} ON COMMIT DROP AS "
        f"SELECT y.*, (y.target_id IS NOT NULL AND ROW({new}, 0) IS DISTINCT FROM ROW({old}, 0)) "
        "AS changed FROM ("
        f"SELECT x.*, {finals} FROM ("
        f"SELECT s.row, {', '.join(spec.resolved)}, t.id AS target_id, {olds} FROM {source}"
        ") x) y"
    )


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def _row_errors(
    session: AsyncSession, spec: Spec, rows: str, options: Options, scope_unit: int | None
) -> list[RowError]:
    first_key = next(f.name for f in spec.fields if f.key)
    keys_known = " AND ".join(f"{k} IS NOT NULL" for k in spec.key)
    parts = [
        f"SELECT row, {_literal(c.field)}, {_literal(c.code)}, {c.message} FROM {rows} "
        f"WHERE {c.condition}"
        for c in spec.checks
        if scope_unit is None or not c.covered_by_scope
    ]
    partition = ", ".join(spec.key)
    parts.append(
        f"SELECT row, {_literal(first_key)}, 'duplicate', "
        "format('the same record as row %s', first_row) FROM ("
        f"SELECT row, min(row) OVER (PARTITION BY {partition}) AS first_row FROM {rows} "
        f"WHERE {keys_known}) d WHERE row <> first_row"
    )
    if options.mode == "create":
        parts.append(
            f"SELECT row, {_literal(first_key)}, 'exists', 'the record already exists' "
            f"FROM {rows} WHERE target_id IS NOT NULL"
        )
    elif options.mode == "update":
        parts.append(
            f"SELECT row, {_literal(first_key)}, 'not_found', 'no such record to update' "
            f"FROM {rows} WHERE target_id IS NULL AND {keys_known}"
        )
    if options.mode != "update":
        for column in spec.columns:
            if not column.nullable and column.default is None and column.name not in spec.final:
                parts.append(
                    f"SELECT row, {_literal(column.field)}, 'required', "
                    f"'is required to create a record' FROM {rows} "
                    f"WHERE target_id IS NULL AND f_{column.name} IS NULL AND {keys_known}"
                )
    params: dict[str, Any] = {}
    if scope_unit is not None:
        params = {"scope_unit": scope_unit}
        parts.append(
            f"SELECT row, 'unit', 'forbidden', "
            f"format('your key reports for another unit, not %s', unit) FROM {rows} "
            "WHERE unit_id IS NOT NULL AND unit_id <> CAST(:scope_unit AS bigint)"
        )
        parts.append(
            "SELECT row, 'indicator', 'forbidden', "
            "'the indicator belongs to a task your unit is not responsible for' "
            f"FROM {rows} WHERE indicator_task_id IS NOT NULL AND NOT unit_responsible "
            "AND unit_id = CAST(:scope_unit AS bigint)"
        )
    sql = " UNION ALL ".join(f"({p})" for p in parts)
    result = await session.execute(text(sql), params)
    return [RowError(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in result]


async def _tree_errors(
    session: AsyncSession, spec: Spec, rows: str, failed: set[int]
) -> list[RowError]:
    """Rows whose parents would form a loop, and rows whose parent is a new record of the
    upload that is not valid (so it will not exist)."""
    # Each row's record (its id, or minus its row number if new) points at its final parent;
    # records the upload leaves alone keep theirs. Walking up from every row of the upload, a
    # loop is coming back to where the walk started (the table had none before). The walk
    # stops at MAX_DEPTH levels, so a pathological chain costs rows × MAX_DEPTH steps at most.
    walks = await session.execute(
        text(
            f"WITH RECURSIVE g AS MATERIALIZED ("
            f"SELECT coalesce(target_id, -row) AS node, f_parent_id AS parent FROM {rows}), "
            "walk(start, node, depth) AS ("
            "SELECT node, parent, 1 FROM g WHERE parent IS NOT NULL "
            "UNION ALL SELECT w.start, "
            "CASE WHEN g.node IS NOT NULL THEN g.parent ELSE t.parent_id END, w.depth + 1 "
            f"FROM walk w LEFT JOIN g ON g.node = w.node LEFT JOIN {spec.table} t ON t.id = w.node "
            f"WHERE w.node <> w.start AND w.depth <= {MAX_DEPTH}) "
            f"SELECT r.row, bool_or(w.node = w.start) FROM walk w JOIN {rows} r "
            "ON coalesce(r.target_id, -r.row) = w.start "
            f"WHERE w.node = w.start OR w.depth > {MAX_DEPTH} AND w.node IS NOT NULL "
            "GROUP BY r.row ORDER BY r.row"
        )
    )
    errors = [
        RowError(row, "parent", "cycle", "the parents would form a loop")
        if loop
        else RowError(
            row,
            "parent",
            "too_deep",
            f"more than {MAX_DEPTH} levels of parents above it, or they lead into a loop",
        )
        for row, loop in walks
        if row not in failed  # a row naming itself already says so
    ]
    failed = failed | {e.row for e in errors}
    parents = failed
    while parents:  # down the new records, a generation at a time
        orphans = await session.execute(
            text(
                f"SELECT row, -f_parent_id FROM {rows} WHERE f_parent_id < 0 "
                "AND -f_parent_id = ANY(CAST(:parents AS integer[])) "
                "AND NOT row = ANY(CAST(:failed AS integer[]))"
            ),
            {"parents": sorted(parents), "failed": sorted(failed)},
        )
        found = [
            RowError(row, "parent", "parent_invalid", f"its parent, row {parent}, is not valid")
            for row, parent in orphans
        ]
        errors += found
        parents = {e.row for e in found}
        failed |= parents
    return errors


async def _give_new_records_ids(session: AsyncSession, spec: Spec, rows: str) -> None:
    """Take ids for the new records now, so a row can name a new parent by its id."""
    await session.execute(text(f"ALTER TABLE {rows} ADD COLUMN new_id bigint"))
    await session.execute(
        text(
            f"UPDATE {rows} SET new_id = "
            f"nextval(pg_get_serial_sequence({_literal(spec.table)}, 'id')) "
            "WHERE target_id IS NULL"
        )
    )
    await session.execute(
        text(
            f"UPDATE {rows} c SET f_parent_id = p.new_id FROM {rows} p "
            "WHERE c.f_parent_id < 0 AND p.row = -c.f_parent_id"
        )
    )


async def _write(session: AsyncSession, spec: Spec, rows: str, actor: Principal) -> None:
    """Insert the new records and update the changed ones, each with its audit events."""
    params = {"actor_key_id": actor.key_id}
    insert_columns = [*spec.key, *(c.name for c in spec.columns), *spec.insert_extra]
    insert_values = [
        *(f"r.{k}" for k in spec.key),
        *(f"r.f_{c.name}" for c in spec.columns),
        *spec.insert_extra.values(),
    ]
    created = ", ".join(f"{_literal(c)}, jsonb_build_array(NULL, ins.{c})" for c in insert_columns)
    if spec.tree:
        await _give_new_records_ids(session, spec, rows)
        insert_columns.insert(0, "id")
        insert_values.insert(0, "r.new_id")
    events = audit_service.bulk_events_sql(
        source="ins", entity_id="ins.id", changes=f"jsonb_build_object({created})"
    )
    await session.execute(
        text(
            f"WITH ins AS (INSERT INTO {spec.table} ({', '.join(insert_columns)}) "
            f"SELECT {', '.join(insert_values)} FROM {rows} r WHERE r.target_id IS NULL "
            f"ORDER BY r.row RETURNING *), ev AS ({events}) SELECT count(*) FROM ins"
        ),
        {
            **params,
            **audit_service.bulk_event_params(
                session, action="create", entity_type=spec.entity_type
            ),
        },
    )
    written = list(spec.columns)
    sets = [f"{c.name} = r.f_{c.name}" for c in written]
    sets += [f"{name} = {value}" for name, value in spec.update_extra.items()]
    sets += ["version = t.version + 1", "updated_at = now()"]
    changes = ", ".join(
        f"{_literal(c.name)}, CASE WHEN r.old_{c.name} IS DISTINCT FROM r.f_{c.name} "
        f"THEN jsonb_build_array(r.old_{c.name}, r.f_{c.name}) END"
        for c in written
    )
    events = audit_service.bulk_events_sql(source="upd", entity_id="upd.id", changes="upd.changes")
    # Only rows still at the version the upload read are written: one changed meanwhile (a report
    # approved while the upload ran) is not overwritten with values decided on its old state.
    # Under READ COMMITTED the UPDATE waits for such a writer and then re-checks the version.
    conflicts = await session.scalar(
        text(
            f"WITH upd AS (UPDATE {spec.table} t SET {', '.join(sets)} FROM {rows} r "
            "WHERE t.id = r.target_id AND r.changed AND t.version = r.old_version "
            f"RETURNING t.id, jsonb_strip_nulls(jsonb_build_object({changes})) AS changes), "
            f"ev AS ({events}) SELECT coalesce(array_agg(r.row ORDER BY r.row), '{{}}') "
            f"FROM {rows} r WHERE r.changed AND r.target_id NOT IN (SELECT id FROM upd)"
        ),
        {
            **params,
            **audit_service.bulk_event_params(
                session, action="update", entity_type=spec.entity_type
            ),
        },
    )
    if conflicts:
        key_field = next(f.name for f in spec.fields if f.key)
        errors = [
            RowError(row, key_field, "conflict", "the record was changed by someone else "
                     "while this upload ran; nothing was written — upload again to apply it")
            for row in conflicts
        ]  # fmt: skip
        raise ConflictingRows(
            f"{len(conflicts)} record(s) changed while the upload ran; nothing was written",
            errors=problem_items(errors),
        )
