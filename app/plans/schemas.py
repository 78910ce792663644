from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from app.pagination import ListQuery
from app.types import (
    Code,
    GraceDays,
    InputModel,
    IsoDate,
    Name,
    ReadModel,
    Title,
    WholeNumber,
    Year,
    omissible,
    path_id,
)

PlanStatus = Literal["draft", "active", "closed", "archived"]
_GRACE_DAYS = "Days after a period ends to report."
_DUE_SOON_DAYS = (
    "Announce an unreported obligation (`obligation.due_soon`) this many days before it is "
    "due, 0–60; null: never."
)
_AUTO_REMIND = (
    "Send each unit a reminder (催办, sent by `system`) when obligations of this plan fall due "
    "soon (`due_soon_days`) or overdue, while the plan is active: one per unit per pass, "
    "naming them."
)
DueSoonDays = Annotated[int, Field(strict=True, ge=0, le=60), WholeNumber]

_EXAMPLE: dict[str, Any] = {
    "code": "HNAST-2024",
    "title": "河南省科协2024年重点工作和工作要点",
    "year": 2024,
    "doc_number": "豫科协办发〔2024〕9号",
    "issuer": "河南省科学技术协会办公室",
    "issued_on": "2024-03-01",
    "status": "active",
    "report_grace_days": 10,
    "due_soon_days": 3,
    "auto_remind": True,
}


class PlanCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    code: Code
    title: Title
    year: Year
    doc_number: Name | None = Field(default=None, description="文号, e.g. 豫科协办发〔2024〕9号.")
    issuer: Name | None = None
    issued_on: IsoDate | None = None
    status: PlanStatus = "draft"
    report_grace_days: GraceDays = Field(default=10, description=_GRACE_DAYS)
    due_soon_days: DueSoonDays | None = Field(default=3, description=_DUE_SOON_DAYS)
    auto_remind: bool = Field(default=False, description=_AUTO_REMIND)


class PlanUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"status": "closed"}, {"due_soon_days": 5, "auto_remind": True}]
        }
    )

    code: Code = omissible()
    title: Title = omissible()
    year: Year = omissible()
    doc_number: Name | None = None
    issuer: Name | None = None
    issued_on: IsoDate | None = None
    status: PlanStatus = omissible()
    report_grace_days: GraceDays = omissible(_GRACE_DAYS)
    due_soon_days: DueSoonDays | None = Field(default=None, description=_DUE_SOON_DAYS)
    auto_remind: bool = omissible(_AUTO_REMIND)


class PlanRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "id": 1,
                    "version": 1,
                    "created_at": "2024-03-01T08:00:00Z",
                    "updated_at": "2024-03-01T08:00:00Z",
                }
            ]
        }
    )

    id: int
    code: str
    title: str
    year: int
    doc_number: str | None
    issuer: str | None
    issued_on: date | None
    status: PlanStatus
    report_grace_days: int
    due_soon_days: int | None = Field(description=_DUE_SOON_DAYS)
    auto_remind: bool = Field(description=_AUTO_REMIND)
    version: int
    created_at: datetime
    updated_at: datetime


class PlanQuery(ListQuery):
    code: Code | None = None
    # Query strings are text: a strict int would refuse every `?year=2024`.
    year: Annotated[Year, Field(strict=False)] | None = None
    status: PlanStatus | None = None


PlanId = path_id("Plan id.")
