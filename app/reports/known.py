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

# The columns the overviews read, current or rebuilt.
_CURRENT = """
    SELECT r.id, r.indicator_id, r.unit_id, r.period, r.period_start, r.value, r.status,
           r.first_submitted_at
    FROM indicator_reports r
    WHERE r.updated_at <= CAST(:known_at AS timestamptz)
"""


def _last(field: str, cast: str) -> str:
    """The field's value after the latest event (up to ``known_at``) that set it."""
    return (
        f"CAST((array_agg(e.changes -> '{field}' ->> 1 ORDER BY e.id DESC) "
        f"FILTER (WHERE e.changes ? '{field}'))[1] AS {cast}) AS {field}"
    )


_REBUILT = f"""
    SELECT h.id,
           coalesce(cur.indicator_id, h.indicator_id) AS indicator_id,
           coalesce(cur.unit_id, h.unit_id) AS unit_id,
           coalesce(cur.period, h.period) AS period,
           coalesce(cur.period_start, h.period_start) AS period_start,
           h.value, h.status,
           -- Set once and never moved; a bulk submission records it outside the event.
           CASE WHEN h.status <> 'draft'
                THEN coalesce(cur.first_submitted_at, h.first_submitted_at) END
               AS first_submitted_at
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
    LEFT JOIN indicator_reports cur ON cur.id = h.id
    WHERE h.last_action <> 'delete'
"""

KNOWN_REPORTS = f"({_CURRENT} UNION ALL {_REBUILT})"


def reports_source(known_at: datetime | None) -> str:
    """The reports to read: the table itself, or (with ``known_at``) the reports as they stood
    then, which binds ``:known_at``."""
    return "indicator_reports" if known_at is None else KNOWN_REPORTS


AsOfParam = Annotated[IsoDate | None, Query(description=AS_OF)]
KnownAtParam = Annotated[KnownAt | None, Query(description=KNOWN_AT)]
