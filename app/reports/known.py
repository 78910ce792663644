"""What the office knew at a moment: the indicator reports as they stood then.

Two questions are kept apart everywhere (progress, health, dashboard, obligations, scorecard,
ledger): ``as_of`` says which periods count and how far the year has gone; ``known_at`` says
what had reached the office. At ``known_at`` a report counts only as it stood then: submitted
by then, approved by then, with the value it had then; one deleted since still counts. So a
ledger printed on June 30 prints again, identical, in December.

Reports change in place; their earlier states come from the audit trail, which every write
(API or bulk) appends to in its own transaction, one event per record, each changed field as
``[old, new]``. Only reports changed since ``known_at`` are rebuilt from it (found by the
events' time, which is indexed): every write moves ``updated_at`` to its own time or later, so a
report with ``updated_at <= known_at`` is as it was then, and one created since did not exist.

A write counts from the time its transaction began (``now()``, the audit event's time): a bulk
job that commits a minute after it started is known from its start.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Query
from pydantic import AfterValidator, BeforeValidator, Field

from app import clock
from app.types import IsoDate

AS_OF = (
    "The date to judge at (default today, on the offices' calendar): reports and progress notes "
    "for periods begun by then count, whenever they arrived, and pace is expected at that date."
)
KNOWN_AT = (
    "What the office knew (default: everything known now): only reports submitted, approvals "
    "made and notes written by this moment count, each as it stood then. RFC 3339 "
    "(`2024-06-30T18:00:00+08:00`; without an offset, the offices' time zone) or a date, "
    "meaning the end of that day. Pass a printed page's `known_at` to print it again, "
    "identical."
)
_DATE_ONLY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


def _moment(value: Any) -> Any:
    # A bare number would be read as a Unix time; an office always writes a date out.
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        raise ValueError("must be an RFC 3339 time or an ISO 8601 date, e.g. 2024-06-30")
    if isinstance(value, str) and _DATE_ONLY.fullmatch(value):
        day = _in_range(date.fromisoformat(value.strip()))
        following = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(clock.zone()))
        return following - timedelta(microseconds=1)
    return value


def _in_range(value: Any) -> Any:
    if not 1900 <= value.year <= 2200:
        raise ValueError("must lie between the years 1900 and 2200")
    return value


def _with_zone(value: datetime) -> datetime:
    _in_range(value)
    local = value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(clock.zone()))
    return local.astimezone(UTC)  # times are answered in UTC, as everywhere


KnownAt = Annotated[
    datetime,
    BeforeValidator(_moment),
    AfterValidator(_with_zone),
    Field(examples=["2024-06-30T18:00:00+08:00", "2024-06-30"]),
]


# Reports changed or deleted since ``known_at``, as they stood then: each field's value after
# the latest event (up to ``known_at``) that set it. The creation event holds every field; a
# bulk submission records first_submitted_at outside its event, so that one is read from the
# row while it exists (it is set once and never moves). A CTE of its own, computed once per
# statement: it is small (what changed since), and the statement joins it by key.
def _last(field: str, cast: str) -> str:
    return (
        f"CAST((array_agg(e.changes -> '{field}' ->> 1 ORDER BY e.id DESC) "
        f"FILTER (WHERE e.changes ? '{field}'))[1] AS {cast}) AS {field}"
    )


_REBUILT = f"""
    rebuilt AS MATERIALIZED (
        SELECT h.id, h.indicator_id, h.unit_id, h.period, h.period_start, h.value, h.status,
               CASE WHEN h.status <> 'draft' THEN coalesce(
                   (SELECT c.first_submitted_at FROM indicator_reports c WHERE c.id = h.id),
                   h.first_submitted_at) END AS first_submitted_at
        FROM (
            SELECT e.entity_id AS id,
                   (array_agg(e.action ORDER BY e.id DESC))[1] AS last_action,
                   {_last("indicator_id", "bigint")}, {_last("unit_id", "bigint")},
                   {_last("period", "text")}, {_last("period_start", "date")},
                   {_last("value", "numeric")}, {_last("status", "text")},
                   {_last("first_submitted_at", "timestamptz")}
            FROM audit_events e
            WHERE e.entity_type = 'indicator_report'
              AND e.occurred_at <= CAST(:known_at AS timestamptz)
              AND e.entity_id IN (
                  -- Changed or deleted since: a report created since did not exist then.
                  SELECT entity_id FROM audit_events
                  WHERE occurred_at > CAST(:known_at AS timestamptz)
                    AND entity_type = 'indicator_report' AND action <> 'create'
              )
            GROUP BY e.entity_id
        ) h
        WHERE h.last_action <> 'delete'
    ),"""
_COLUMNS = "id, indicator_id, unit_id, period, period_start, value, status, first_submitted_at"
_KNOWN_REPORTS = f"""(
    SELECT {_COLUMNS} FROM indicator_reports
    WHERE updated_at <= CAST(:known_at AS timestamptz)
    UNION ALL
    SELECT {_COLUMNS} FROM rebuilt
)"""


def known_cte(known_at: datetime | None) -> str:
    """The first entries of a statement's ``WITH`` list: nothing, or (with ``known_at``) the
    ``rebuilt`` reports ``reports_source`` and ``report_join`` read."""
    return "" if known_at is None else _REBUILT


def reports_source(known_at: datetime | None) -> str:
    """The reports to scan: the table itself, or (with ``known_at``) the reports as they stood
    then. Binds ``:known_at``; needs ``known_cte`` in the statement."""
    return "indicator_reports" if known_at is None else _KNOWN_REPORTS


def report_join(known_at: datetime | None, alias: str, on: str) -> str:
    """``LEFT JOIN`` each row to its one report (``on`` in terms of ``alias``) by the unique
    key, as it stands or as it stood at ``known_at``: the unchanged row by index, or the
    rebuilt one. Either way ``alias`` has the report's id, status and first_submitted_at."""
    if known_at is None:
        return f"LEFT JOIN indicator_reports {alias} ON {on.format(r=alias)}"
    return (
        f"LEFT JOIN indicator_reports {alias}_now ON {on.format(r=alias + '_now')} "
        f"AND {alias}_now.updated_at <= CAST(:known_at AS timestamptz) "
        f"LEFT JOIN rebuilt {alias}_then ON {on.format(r=alias + '_then')} "
        f"CROSS JOIN LATERAL (SELECT coalesce({alias}_now.id, {alias}_then.id) AS id, "
        f"coalesce({alias}_now.status, {alias}_then.status) AS status, "
        f"coalesce({alias}_now.first_submitted_at, {alias}_then.first_submitted_at) "
        f"AS first_submitted_at) {alias}"
    )


AsOfParam = Annotated[IsoDate | None, Query(description=AS_OF)]
KnownAtParam = Annotated[KnownAt | None, Query(description=KNOWN_AT)]
