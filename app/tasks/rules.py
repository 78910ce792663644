"""How status, progress and completion date follow from one another, and the order of a task's
dates: each rule once in Python (for the API) and once in SQL (for bulk uploads), side by side
so the two cannot drift apart.

Pure: no database, no web. The SQL forms take SQL expressions and return one; the statement
that runs a completion date binds ``:today`` (``clock.today()``, the offices' calendar).
The completion rule is the milestones' too: they are completed, and reopened, the same way.
"""

from __future__ import annotations

from datetime import date

COMPLETED = "completed"
# The rules in a sentence each, for the API's and the bulk upload's field descriptions.
STATUS_DESCRIPTION = "`not_started` becomes `in_progress` once progress is above 0."
COMPLETED_ON_DESCRIPTION = (
    "Today when the status becomes `completed` without it; kept while completed; "
    "cleared when another status is set without it."
)


def status_for_progress(status: str, progress: int) -> str:
    """Progress above 0 means the work began: a task ``not_started`` is ``in_progress``.

    No other status moves: a completed, suspended or cancelled task stays so, and a status
    never moves back (progress back to 0 leaves an ``in_progress`` task as it is).
    """
    return "in_progress" if status == "not_started" and progress > 0 else status


def status_for_progress_sql(status: str, progress: str) -> str:
    """:func:`status_for_progress` over SQL expressions."""
    return (
        f"(CASE WHEN {status} = 'not_started' AND {progress} > 0 "
        f"THEN 'in_progress' ELSE {status} END)"
    )


def completed_on(
    *,
    status: str,
    status_written: str | None,
    written: date | None,
    kept: date | None,
    old: date | None,
    today: date,
) -> date | None:
    """The completion date (办结日期) a record ends a write with.

    ``status``: the status it ends with; ``status_written``: the status the write gives, if
    any; ``written``: the date the write gives, if any; ``kept``: the date without this rule
    (the written one if the write names the field, else ``old``); ``old``: before the write.

    A completed record has a date: the one given, else the one it had, else today. A status
    written that is not completed (a reopening) leaves only a date the write gives. Otherwise
    the date is as written or kept.
    """
    if status == COMPLETED:
        return written or old or today
    if status_written is not None:
        return written
    return kept


def completed_on_sql(*, status: str, status_written: str, written: str, kept: str, old: str) -> str:
    """:func:`completed_on` over SQL expressions; binds ``:today``."""
    return (
        f"(CASE WHEN {status} = '{COMPLETED}' "
        f"THEN coalesce({written}, {old}, CAST(:today AS date)) "
        f"WHEN {status_written} IS NOT NULL THEN {written} ELSE {kept} END)"
    )


DATES_OUT_OF_ORDER = "start_on must not be after due_on"


def dates_out_of_order(start_on: date | None, due_on: date | None) -> bool:
    """A task may not start after it is due; either date may be missing."""
    return start_on is not None and due_on is not None and start_on > due_on


def dates_out_of_order_sql(start_on: str, due_on: str) -> str:
    """:func:`dates_out_of_order` over SQL expressions (NULL, not true, when a date is missing)."""
    return f"({start_on} > {due_on})"
