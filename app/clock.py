"""The offices' calendar: dates are judged in ``LUOSHI_TIMEZONE`` (default Asia/Shanghai), not
in the server's zone, so "today" does not lag a day behind before 08:00 in Beijing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.settings import current_settings


def zone() -> str:
    """The IANA name, for SQL (``timestamptz AT TIME ZONE :tz``)."""
    return current_settings().timezone


def today() -> date:
    return datetime.now(ZoneInfo(zone())).date()


def now() -> datetime:
    """This moment, in UTC: what "known now" means when no ``known_at`` is given."""
    return datetime.now(UTC)
