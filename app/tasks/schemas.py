from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.pagination import ListQuery
from app.tasks import rules
from app.types import (
    Id,
    InputModel,
    IsoDate,
    LongText,
    Name,
    Number,
    Percent,
    ReadModel,
    Title,
    omissible,
    path_id,
)

TaskKind = Literal["section", "key_task", "work_point", "subtask"]
TaskStatus = Literal["not_started", "in_progress", "completed", "suspended", "cancelled"]
RelatedIds = list[Id]

_EXAMPLE: dict[str, Any] = {
    "plan_id": 1,
    "parent_id": 3,
    "kind": "work_point",
    "number": "13",
    "title": "全面建成省科技馆新馆",
    "description": "年内全面建成、全面开放，全年接待公众不少于 200 万人次。",
    "status": "in_progress",
    "progress": 40,
    "start_on": "2024-01-01",
    "due_on": "2024-12-31",
    "completed_on": None,
    "related_task_ids": [27],
}


class TaskCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    plan_id: Id
    parent_id: Id | None = Field(default=None, description="Parent task, in the same plan.")
    kind: TaskKind
    number: Number = Field(description='The label as printed: "四", "13".')
    title: Title
    description: LongText = Field(default="", description="The item's source text.")
    status: TaskStatus = Field(default="not_started", description=rules.STATUS_DESCRIPTION)
    progress: Percent = 0
    start_on: IsoDate | None = None
    due_on: IsoDate | None = None
    completed_on: IsoDate | None = Field(default=None, description=rules.COMPLETED_ON_DESCRIPTION)
    related_task_ids: RelatedIds = Field(
        default_factory=list,
        max_length=100,
        description="Tasks of the same plan that restate this one; kept on both sides.",
    )

    @field_validator("due_on")
    @classmethod
    def _check_dates(cls, due_on: date | None, info: ValidationInfo) -> date | None:
        # On the field, not the model, so the error points at #/due_on.
        if rules.dates_out_of_order(info.data.get("start_on"), due_on):
            raise ValueError(rules.DATES_OUT_OF_ORDER)
        return due_on


class TaskUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "completed", "progress": 100}]}
    )

    parent_id: Id | None = None
    kind: TaskKind = omissible()
    number: Number = omissible()
    title: Title = omissible()
    description: LongText = omissible()
    status: TaskStatus = omissible(rules.STATUS_DESCRIPTION)
    progress: Percent = omissible()
    start_on: IsoDate | None = None
    due_on: IsoDate | None = None
    completed_on: IsoDate | None = Field(default=None, description=rules.COMPLETED_ON_DESCRIPTION)
    related_task_ids: RelatedIds = omissible(max_length=100)


class TaskRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "id": 20,
                    "version": 2,
                    "created_at": "2024-03-01T08:00:00Z",
                    "updated_at": "2024-05-10T02:30:00Z",
                }
            ]
        }
    )

    id: int
    plan_id: int
    parent_id: int | None
    kind: TaskKind
    number: str
    title: str
    description: str
    status: TaskStatus
    progress: int
    start_on: date | None
    due_on: date | None
    completed_on: date | None
    related_task_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


# Query strings are text: a strict int would refuse every `?plan_id=5`.
QueryId = Annotated[Id, Field(strict=False)]


class TaskQuery(ListQuery):
    plan_id: QueryId | None = None
    parent_id: QueryId | None = None
    kind: TaskKind | None = None
    number: Number | None = None
    status: TaskStatus | None = None
    unit_id: QueryId | None = Field(default=None, description="Tasks this unit is responsible for.")
    due_before: IsoDate | None = Field(default=None, description="Due strictly before this date.")
    q: Name | None = Field(default=None, description="Substring of the title or source text.")


TaskId = path_id("Task id.")


HealthStatus = Literal["green", "amber", "red"]


class TaskHealth(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "task_id": 20,
                    "as_of": "2024-07-20",
                    "known_at": "2024-07-20T10:00:00Z",
                    "status": "red",
                    "reasons": [
                        "节点“新馆全面建成”应于2024-06-30完成，尚未完成",
                        "指标WP13-1（接待公众）滞后：完成60，按进度应达109.6（目标≥200万人次）",
                    ],
                }
            ]
        }
    )

    task_id: int
    as_of: date
    known_at: datetime = Field(
        description="What the figures knew: the `known_at` asked for, or the moment they were "
        "computed. Pass it back to get the same figures again."
    )
    status: HealthStatus = Field(
        description="A key task's is the worst of its own and its linked work points'; a "
        "section's is the worst of its items'."
    )
    reasons: list[str] = Field(
        description="For people, in the request's language (Chinese by default, English on "
        "`Accept-Language: en`): what is late or behind, naming the work point a key task's "
        "warning comes from; for a section, its items' counts by health."
    )
