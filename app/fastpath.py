"""The request path's shortcuts past SQLAlchemy, and every use of its internals, in one place.

The statements every request runs (authentication, reads of one resource or one page) go to
the asyncpg connection directly: asyncpg prepares each once per connection, and the statement
skips SQLAlchemy's compilation, execution context and result processing, which cost more CPU
than the query (`bench/request_layers.py` measures each layer). Doing so needs three things
SQLAlchemy keeps private; ``tests/test_fastpath.py`` fails loudly when an upgrade changes any
of them. Everything off the hot path uses the public API.
"""

from __future__ import annotations

from typing import Any, cast

import asyncpg
from sqlalchemy import Select, TextClause
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = asyncpg_dialect()
_COMPILED: dict[Any, SQLCompiler] = {}
_MAX_COMPILED = 1000


async def driver_connection(conn: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under ``conn``, inside ``conn``'s transaction.

    SQLAlchemy's asyncpg adapter begins its transaction lazily, at its own first statement; it
    is begun here first, so a statement run on the driver is part of ``conn``'s transaction (in
    autocommit there is none to begin). Internal: the adapter's ``_transaction`` and
    ``_start_transaction``.
    """
    pooled = await conn.get_raw_connection()
    adapted = pooled.dbapi_connection
    if conn.in_transaction() and adapted._transaction is None:  # type: ignore[union-attr]
        await adapted._start_transaction()  # type: ignore[union-attr]
    return cast(asyncpg.Connection, pooled.driver_connection)


def compiled_select(
    stmt: Select[Any], params: dict[str, Any] | None
) -> tuple[str, list[Any]] | None:
    """``stmt`` as asyncpg SQL and its positional arguments, compiled once per shape; ``None``
    for a statement that renders values into its text per call (an IN list), which the caller
    runs through SQLAlchemy instead.

    Keyed like SQLAlchemy's own compiled cache: by structure, not by values (internal:
    ``_generate_cache_key``); the values are bound the way SQLAlchemy would bind them
    (internal: the compiler's ``_bind_processors``).
    """
    cache_key = stmt._generate_cache_key()
    assert cache_key is not None  # every SELECT the services build is cacheable
    compiled = _COMPILED.get(cache_key.key)
    if compiled is None:
        if len(_COMPILED) >= _MAX_COMPILED:
            _COMPILED.clear()
        compiled = cast(SQLCompiler, stmt.compile(dialect=_DIALECT, cache_key=cache_key))
        _COMPILED[cache_key.key] = compiled
    if compiled.post_compile_params:
        return None
    values = compiled.construct_params(params, extracted_parameters=cache_key.bindparams)
    processors: dict[str, Any] = compiled._bind_processors  # type: ignore[assignment]
    args = [
        processors[name](values[name]) if name in processors else values[name]
        for name in compiled.positiontup or ()
    ]
    return compiled.string, args


def asyncpg_text(stmt: TextClause) -> str:
    """A ``text()`` statement in asyncpg's placeholder style (``$1``), compiled by SQLAlchemy
    (public API) rather than edited by hand."""
    return str(stmt.compile(dialect=_DIALECT))
