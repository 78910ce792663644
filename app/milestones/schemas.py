from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from app.pagination import ListQuery
from app.tasks import rules as task_rules
from app.types import Id, InputModel, IsoDate, Note, ReadModel, Title, omissible, path_id

MilestoneStatus = Literal["pending", "completed", "cancelled"]
_EXAMPLE: dict[str, Any] = {
    "task_id": 20,
    "title": "新馆全面建成、全面开放",
    "due_on": "2024-12-31",
    "status": "pending",
    "completed_on": None,
    "note": "",
}


class MilestoneCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    task_id: Id
    title: Title
    due_on: IsoDate
    status: MilestoneStatus = "pending"
    completed_on: IsoDate | None = Field(
        default=None, description=task_rules.COMPLETED_ON_DESCRIPTION
    )
    note: Note = ""


class MilestoneUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "completed", "completed_on": "2024-09-28"}]}
    )

    title: Title = omissible()
    due_on: IsoDate = omissible()
    status: MilestoneStatus = omissible()
    completed_on: IsoDate | None = Field(
        default=None, description=task_rules.COMPLETED_ON_DESCRIPTION
    )
    note: Note = omissible()


class MilestoneRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "id": 5,
                    "version": 1,
                    "created_at": "2024-03-01T08:00:00Z",
                    "updated_at": "2024-03-01T08:00:00Z",
                }
            ]
        }
    )

    id: int
    task_id: int
    title: str
    due_on: date
    status: MilestoneStatus
    completed_on: date | None
    note: str
    version: int
    created_at: datetime
    updated_at: datetime


# Query strings are text: a strict int would refuse every `?task_id=5`.
QueryId = Annotated[Id, Field(strict=False)]


class MilestoneQuery(ListQuery):
    task_id: QueryId | None = None
    status: MilestoneStatus | None = None
    due_before: IsoDate | None = Field(default=None, description="Due strictly before this date.")


MilestoneId = path_id("Milestone id.")
