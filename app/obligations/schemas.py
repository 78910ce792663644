"""What a unit owes: one report per indicator and period, with its status at a date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.errors import InvalidInput
from app.pagination import ListQuery, decode_key_cursor
from app.reports.known import AS_OF, KNOWN_AT, KnownAt
from app.types import IsoDate

ObligationStatus = Literal["upcoming", "due", "overdue", "submitted", "approved", "returned"]


class Obligation(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_id": 7,
                    "task_id": 20,
                    "indicator_id": 12,
                    "unit_name": "科普部",
                    "indicator_code": "WP13-1",
                    "indicator_name": "接待公众",
                    "period": "2024Q2",
                    "due_on": "2024-07-10",
                    "status": "overdue",
                    "report_id": None,
                    "first_submitted_at": None,
                    "on_time": None,
                }
            ]
        }
    )

    unit_id: int
    task_id: int
    indicator_id: int
    unit_name: str
    indicator_code: str
    indicator_name: str
    period: str
    due_on: date = Field(description="The period's last day plus the plan's grace days.")
    status: ObligationStatus
    report_id: int | None
    first_submitted_at: datetime | None = Field(
        description="When the unit first put the report forward (not a draft)."
    )
    on_time: bool | None = Field(
        description="First put forward on or before `due_on` (the offices' calendar day), "
        "whatever its status now; null while nothing has been put forward."
    )


class ObligationQuery(ListQuery):
    as_of: IsoDate | None = Field(default=None, description=AS_OF)
    known_at: KnownAt | None = Field(default=None, description=KNOWN_AT)
    status: ObligationStatus | None = None

    def after(self) -> tuple[date, int, int, int] | None:
        """Where the previous page ended, from ``cursor``."""
        if self.cursor is None:
            return None
        start, task, indicator, unit = decode_key_cursor(self.cursor, 4)
        try:
            return date.fromisoformat(start), int(task), int(indicator), int(unit)
        except ValueError as exc:
            raise InvalidInput(
                "cursor is not one this service issued",
                errors=[{"parameter": "cursor", "detail": "unknown cursor"}],
            ) from exc
