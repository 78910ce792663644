"""Building blocks every resource service shares: list, fetch, lock, change, delete."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, bindparam, func, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app import fastpath
from app.db import Base
from app.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from app.pagination import PageParams, encode_cursor

M = TypeVar("M", bound=Base)


def entity_label(model: type[Base]) -> str:
    return str(model.__tablename__).rstrip("s").replace("_", " ")


# Statements are built once per model: building and hashing a SELECT costs more CPU than
# running it, and SQLAlchemy's compiled cache still serves them.
_BY_ID: dict[tuple[type[Any], bool], Select[Any]] = {}
_ROWS: dict[type[Any], Select[Any]] = {}
_ROW_BY_ID: dict[type[Any], Select[Any]] = {}


class Record(dict[str, Any]):
    """A row read for display: by key for the response models (validating a dict is the
    fastest input Pydantic takes), by attribute for everything else, like a SQLAlchemy row."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


async def read_rows(
    session: AsyncSession, stmt: Select[Any], params: dict[str, Any] | None = None
) -> list[Record]:
    """Run a read-only SELECT on the session's connection, without SQLAlchemy's result layer
    (see app/fastpath.py)."""
    prepared = fastpath.compiled_select(stmt, params)
    if prepared is None:  # an IN list: rendered per call, so leave it to SQLAlchemy
        return [Record(row._mapping) for row in await session.execute(stmt, params)]
    sql, args = prepared
    # A request's session is bound to the request's connection: use it as is, rather than
    # through session.connection(), which would begin a session transaction a read never needs.
    bind = session.bind
    conn = bind if isinstance(bind, AsyncConnection) else await session.connection()
    driver = await fastpath.driver_connection(conn)
    return [Record(row.items()) for row in await driver.fetch(sql, *args)]


def read_select(model: type[M]) -> Select[Any]:
    """A SELECT of the model's columns (and column properties) as plain rows, for reads:
    no ORM objects to build, and the response models read rows by attribute all the same."""
    stmt = _ROWS.get(model)
    if stmt is None:
        columns = [
            cast(ColumnElement[Any], prop.expression).label(prop.key)
            for prop in inspect(model).column_attrs
        ]
        stmt = _ROWS[model] = select(*columns)
    return stmt


async def get_or_404(
    session: AsyncSession, model: type[M], entity_id: int, *, for_update: bool = False
) -> M:
    """The ORM object, to change it (optionally locked)."""
    stmt = _BY_ID.get((model, for_update))
    if stmt is None:
        stmt = select(model).where(model.id == bindparam("entity_id"))  # type: ignore[attr-defined]
        if for_update:
            stmt = stmt.with_for_update()
        _BY_ID[(model, for_update)] = stmt
    obj = (await session.execute(stmt, {"entity_id": entity_id})).scalar_one_or_none()
    if obj is None:
        raise NotFound(f"{entity_label(model)} {entity_id} does not exist")
    return obj


async def get_row_or_404(session: AsyncSession, model: type[M], entity_id: int) -> Record:
    """The record as a row, to show it."""
    stmt = _ROW_BY_ID.get(model)
    if stmt is None:
        table_id = model.__table__.c.id
        stmt = _ROW_BY_ID[model] = read_select(model).where(table_id == bindparam("entity_id"))
    rows = await read_rows(session, stmt, {"entity_id": entity_id})
    if not rows:
        raise NotFound(f"{entity_label(model)} {entity_id} does not exist")
    return rows[0]


async def require_reference(
    session: AsyncSession, model: type[M], entity_id: int, *, field: str
) -> M:
    """Load a record the request refers to; a dangling reference is the client's error (422)."""
    obj = await session.get(model, entity_id)
    if obj is None:
        raise InvalidInput(
            f"{field}: {entity_label(model)} {entity_id} does not exist",
            errors=[{"pointer": f"#/{field}", "detail": "does not exist"}],
        )
    return obj


def etag_of(obj: Any) -> str:
    # Records without a version (an import) never change: their first version is their last.
    return f'"{getattr(obj, "version", 1)}"'


def check_if_match(if_match: str | None, obj: Any) -> None:
    """``If-Match`` must name the current version (strong comparison) or be ``*``."""
    if if_match is None:
        return
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags or etag_of(obj) in tags:
        return
    raise PreconditionFailed(
        f"the record changed since you read it (current ETag {etag_of(obj)}); read it again"
    )


_AMOUNT_QUANTUM = Decimal("0.0001")


def _db_value(value: Any) -> Any:
    # Amounts arrive as JSON numbers and are kept as NUMERIC(20, 4): round them here, the way
    # the column would, so the response shows what was stored without reading it back.
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(_AMOUNT_QUANTUM, rounding=ROUND_HALF_UP)
    return value


def apply_changes(obj: Any, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the given fields; bump version and ``updated_at`` only when something really changed."""
    changed: dict[str, tuple[Any, Any]] = {}
    for field, raw in changes.items():
        value = _db_value(raw)
        old = getattr(obj, field)
        if old != value:
            changed[field] = (old, value)
            setattr(obj, field, value)
    if changed:
        touch(obj)
    return changed


def touch(obj: Any) -> None:
    """Mark a record as changed: a new version (so a new ETag) and ``updated_at``."""
    obj.version = obj.version + 1
    obj.updated_at = datetime.now(UTC)


def new_entity(model: type[M], values: dict[str, Any]) -> M:
    return model(**{key: _db_value(value) for key, value in values.items()})


async def fetch_page(
    session: AsyncSession,
    stmt: Select[Any],
    model: type[M],
    page: PageParams,
    *,
    newest_first: bool = False,
) -> tuple[list[Record], str | None]:
    """Keyset page by id: ``limit`` rows after the cursor, and the cursor of the next page."""
    ident = model.id  # type: ignore[attr-defined]
    if page.after_id is not None:
        stmt = stmt.where(ident < page.after_id if newest_first else ident > page.after_id)
    order = ident.desc() if newest_first else ident
    rows = await read_rows(session, stmt.order_by(order).limit(page.limit + 1))
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        return rows, encode_cursor(rows[-1].id)
    return rows, None


def equal_filters(model: type[M], query: BaseModel, *fields: str) -> list[ColumnElement[bool]]:
    """The plain list filters: ``column = value`` for each of these query fields that was given
    (a query field is named after the column it filters)."""
    conditions = []
    for field in fields:
        value = getattr(query, field)
        if value is not None:
            conditions.append(getattr(model, field) == value)
    return conditions


def text_search(text: str | None, *columns: Any) -> list[ColumnElement[bool]]:
    """``?q=``: any of the columns contains the text, ignoring case; ``%`` and ``_`` are
    searched for as themselves."""
    if not text:
        return []
    return [or_(*(column.icontains(text, autoescape=True) for column in columns))]


async def list_page(
    session: AsyncSession, model: type[M], page: PageParams, *where: ColumnElement[bool]
) -> tuple[list[Record], str | None]:
    """A page of the model's records, oldest first, that meet every condition."""
    return await fetch_page(session, read_select(model).where(*where), model, page)


async def get_for_change(
    session: AsyncSession, model: type[M], entity_id: int, *, if_match: str | None
) -> M:
    """The ORM object, locked, to change or delete it once ``If-Match`` agrees."""
    obj = await get_or_404(session, model, entity_id, for_update=True)
    check_if_match(if_match, obj)
    return obj


async def add_entity(session: AsyncSession, model: type[M], values: dict[str, Any]) -> M:
    """Insert a new record (its id and server defaults are read back)."""
    obj = new_entity(model, values)
    session.add(obj)
    await session.flush()
    return obj


async def change_entity(session: AsyncSession, obj: M, changes: dict[str, Any]) -> M:
    apply_changes(obj, changes)
    await session.flush()
    return obj


async def delete_entity(session: AsyncSession, obj: Base) -> None:
    await session.delete(obj)
    await session.flush()


async def ensure_unique(
    session: AsyncSession,
    model: type[M],
    *where: ColumnElement[bool],
    other_than: int | None,
    conflict: str,
) -> None:
    """Refuse (409) what another record already has (``other_than``: the record being changed)."""
    ident = model.id  # type: ignore[attr-defined]
    stmt = select(ident).where(*where)
    if other_than is not None:
        stmt = stmt.where(ident != other_than)
    if (await session.execute(stmt)).first() is not None:
        raise Conflict(conflict)


async def ensure_code_free(
    session: AsyncSession, model: type[M], code: str, *, other_than: int | None
) -> None:
    """Refuse (409) a ``code`` another record of the model already has."""
    await ensure_unique(
        session,
        model,
        model.code == code,  # type: ignore[attr-defined]
        other_than=other_than,
        conflict=f"a {entity_label(model)} with code {code!r} already exists",
    )


async def ensure_unreferenced(
    session: AsyncSession, *, what: str, references: dict[str, ColumnElement[bool]]
) -> None:
    """Refuse (409) to delete while other records still point at it, and say which."""
    counts = (
        await session.execute(
            select(
                *(
                    select(func.count()).where(cond).scalar_subquery().label(f"c{i}")
                    for i, cond in enumerate(references.values())
                )
            )
        )
    ).one()
    held = [f"{n} {label}" for label, n in zip(references, counts, strict=True) if n]
    if held:
        raise Conflict(
            f"{what} cannot be deleted while other records depend on it: {', '.join(held)}"
        )
