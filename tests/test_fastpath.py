"""The contract app/fastpath.py relies on: the SQLAlchemy internals it uses still exist and
still mean what they did. An upgrade that changes any of them fails here, by name, instead of
somewhere on the request path."""

from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app import fastpath
from app.crud import read_rows, read_select
from app.indicators.models import Indicator
from app.tasks.models import Task
from tests.factories import create_indicator, create_task


def test_select_cache_keys_and_bind_processors_are_there() -> None:
    stmt = select(Task.id).where(Task.due_on < bindparam("day"))
    key = stmt._generate_cache_key()
    assert key is not None
    assert hasattr(key, "key")
    assert hasattr(key, "bindparams")
    compiled = stmt.compile(dialect=fastpath._DIALECT, cache_key=key)
    assert isinstance(compiled._bind_processors, dict)  # type: ignore[attr-defined]
    assert compiled.positiontup == ["day"]  # type: ignore[attr-defined]
    assert hasattr(compiled, "post_compile_params")


def test_text_compiles_to_asyncpg_placeholders() -> None:
    sql = fastpath.asyncpg_text(text("SELECT CAST(:a AS int) + :b WHERE :a > 0"))
    assert sql == "SELECT CAST($1 AS int) + $2 WHERE $1 > 0"


async def test_the_driver_runs_in_the_sessions_transaction(db: AsyncSession) -> None:
    conn = await db.connection()
    raw = await conn.get_raw_connection()
    assert hasattr(raw.dbapi_connection, "_transaction")
    assert hasattr(raw.dbapi_connection, "_start_transaction")
    task = await create_task(db)  # written in the session's (savepoint) transaction
    driver = await fastpath.driver_connection(conn)
    assert driver.is_in_transaction()
    assert await driver.fetchval("SELECT count(*) FROM tasks WHERE id = $1", task.id) == 1


async def test_fast_reads_equal_sqlalchemys(db: AsyncSession) -> None:
    task = await create_task(db, due_on=date(2024, 6, 30))
    await create_indicator(db, task=task, target_value=Decimal("1234.5678"))
    for stmt, params in (
        (read_select(Indicator).where(Indicator.task_id == bindparam("t")), {"t": task.id}),
        (read_select(Task).where(Task.due_on <= bindparam("d")), {"d": date(2024, 12, 31)}),
        (read_select(Task).where(Task.id.in_([task.id, -1])), None),  # rendered per call
    ):
        fast = await read_rows(db, stmt, params)
        slow = [dict(r._mapping) for r in await db.execute(stmt, params)]
        assert fast, stmt
        assert fast == slow, stmt
