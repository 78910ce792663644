"""The status and completion rules say the same in Python (the API) and in SQL (bulk uploads)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.tasks import rules
from app.tasks.models import TASK_STATUSES

TODAY, EARLIER, GIVEN = date(2024, 7, 1), date(2024, 5, 1), date(2024, 6, 15)


@pytest.mark.parametrize("status", TASK_STATUSES)
async def test_status_for_progress_agrees(db: AsyncSession, status: str) -> None:
    sql = rules.status_for_progress_sql("CAST(:status AS text)", "CAST(:progress AS integer)")
    for progress in (0, 1, 100):
        in_sql = await db.scalar(text(f"SELECT {sql}"), {"status": status, "progress": progress})
        assert in_sql == rules.status_for_progress(status, progress), (status, progress)


async def test_completed_on_agrees(db: AsyncSession) -> None:
    sql = rules.completed_on_sql(
        status="CAST(:status AS text)",
        status_written="CAST(:status_written AS text)",
        written="CAST(:written AS date)",
        kept="CAST(:kept AS date)",
        old="CAST(:old AS date)",
    )
    cases = itertools.product(
        ("completed", "in_progress"),  # the status the record ends with
        (False, True),  # whether the write gives that status
        (None, GIVEN),  # the date the write gives
        (None, EARLIER),  # the date before
        (False, True),  # whether the write names completed_on (then kept is what it gives)
    )
    seen = set()
    for status, status_given, written, old, names_date in cases:
        args = {
            "status": status,
            "status_written": status if status_given else None,
            "written": written,
            "kept": written if names_date else old,
            "old": old,
        }
        expected = rules.completed_on(**args, today=TODAY)  # type: ignore[arg-type]
        assert await db.scalar(text(f"SELECT {sql}"), {**args, "today": TODAY}) == expected, args
        seen.add(expected)
    assert seen == {None, TODAY, EARLIER, GIVEN}  # every branch was taken


async def test_dates_out_of_order_agrees(db: AsyncSession) -> None:
    sql = rules.dates_out_of_order_sql("CAST(:start_on AS date)", "CAST(:due_on AS date)")
    for start_on, due_on in itertools.product((None, EARLIER, GIVEN), repeat=2):
        in_sql = await db.scalar(text(f"SELECT {sql}"), {"start_on": start_on, "due_on": due_on})
        assert bool(in_sql) == rules.dates_out_of_order(start_on, due_on), (start_on, due_on)
    assert rules.dates_out_of_order(GIVEN, EARLIER)
