from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.pagination import ListQuery
from app.types import Id, InputModel, IsoDate, Message, ReadModel, path_id

ReminderStatus = Literal["awaiting_reply", "replied"]
Period = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=4, max_length=16, pattern=r"^[0-9A-Z]+$"),
    Field(description="A period as reports name it: `2024`, `2024H1`, `2024Q2`, `2024M07`."),
]


class ObligationRef(InputModel):
    indicator_id: Id
    period: Period


class ReminderObligation(BaseModel):
    """One obligation the reminder names, as it stood when the reminder was sent."""

    indicator_id: int
    period: str
    due_on: date
    status: str = Field(description="The obligation's status when the reminder was sent.")


class ReminderCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "unit_id": 7,
                    "obligations": [{"indicator_id": 12, "period": "2024Q2"}],
                    "message": "请于7月25日前报送二季度接待公众数据。",
                    "reply_by": "2024-07-25",
                },
                {"unit_id": 7, "plan_id": 1, "reply_by": "2024-07-25"},
            ]
        }
    )

    unit_id: Id
    plan_id: Id | None = Field(
        default=None,
        description="Only this plan's obligations; when omitted, the plan of the named "
        "obligations if they share one.",
    )
    obligations: list[ObligationRef] | None = Field(
        default=None,
        max_length=500,
        description="The obligations to remind of; omitted or null: everything the unit has "
        "overdue now (in `plan_id`, if given).",
    )
    message: Message | None = Field(
        default=None, description="To the unit; a standard Chinese text when omitted."
    )
    reply_by: IsoDate = Field(description="The date the unit should answer by (today or later).")


class ReminderReply(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"message": "已于7月22日补报，因统计口径调整延误。"}]}
    )

    message: Message


_READ_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "unit_id": 7,
    "plan_id": 1,
    "obligations": [
        {"indicator_id": 12, "period": "2024Q2", "due_on": "2024-07-10", "status": "overdue"}
    ],
    "message": "请于2024-07-25前报送以下逾期未报数据（共1项），并说明逾期原因。",
    "reply_by": "2024-07-25",
    "sent_by": "督查室",
    "status": "replied",
    "reply_message": "已于7月22日补报。",
    "replied_at": "2024-07-22T09:30:00Z",
    "replied_by": "科普部填报",
    "version": 2,
    "created_at": "2024-07-20T08:00:00Z",
    "updated_at": "2024-07-22T09:30:00Z",
}


class ReminderRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_READ_EXAMPLE]})

    id: int
    unit_id: int
    plan_id: int | None
    obligations: list[ReminderObligation]
    message: str
    reply_by: date
    sent_by: str = Field(description="Name of the key that sent it.")
    status: ReminderStatus
    reply_message: str | None
    replied_at: datetime | None
    replied_by: str | None = Field(description="Name of the key that replied.")
    version: int
    created_at: datetime
    updated_at: datetime


QueryId = Annotated[Id, Field(strict=False)]


class ReminderQuery(ListQuery):
    unit_id: QueryId | None = None
    plan_id: QueryId | None = None
    status: ReminderStatus | None = None


class ReminderRecord(BaseModel):
    """催办次数: how often a unit was reminded, and how it answered."""

    received: int = Field(description="Reminders sent to the unit by `as_of`.")
    answered: int = Field(description="Of those, replied to by `as_of`.")
    answered_late: int = Field(
        description="Replied after `reply_by`, or not replied and `reply_by` has passed."
    )


ReminderId = path_id("Reminder id.")
