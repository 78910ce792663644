"""Settings that a typo must not turn into a silent default."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from app import clock
from app.settings import Settings, get_settings


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(timezone="Asia/Beijing")


def test_today_is_the_offices_date(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("LUOSHI_TIMEZONE", "Pacific/Kiritimati")  # UTC+14: usually a day ahead
    try:
        assert clock.today() == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
        assert clock.today() != datetime.now(UTC).date() or datetime.now(UTC).hour < 10
    finally:
        get_settings.cache_clear()
