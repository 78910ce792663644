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


async def test_each_app_keeps_its_own_settings_for_the_clock(own_database: str) -> None:
    """`create_app(settings=…)` is honoured everywhere: two apps in one process, on calendars
    26 hours apart, each answer "today" on their own calendar."""
    from datetime import UTC, datetime, timedelta

    from tests.helpers import served_app

    key = "settings-admin-key-0123456789abcdef"
    days = {}
    for zone, hours in (("Etc/GMT-14", 14), ("Etc/GMT+12", -12)):
        async with served_app(own_database, key, timezone=zone, bulk_worker=False) as (_, client):
            plan = await client.post(
                "/api/v1/plans", json={"code": f"TZ{hours + 20}", "title": "计划", "year": 2024}
            )
            assert plan.status_code == 201, plan.text
            board = await client.get(f"/api/v1/plans/{plan.json()['id']}/dashboard")
            days[zone] = board.json()["as_of"]
            assert days[zone] == (datetime.now(UTC) + timedelta(hours=hours)).date().isoformat()
    assert days["Etc/GMT-14"] != days["Etc/GMT+12"]
