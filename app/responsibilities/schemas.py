from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from app.pagination import ListQuery
from app.types import Id, InputModel, ReadModel, omissible, path_id

Role = Literal["lead", "participant"]
_EXAMPLE: dict[str, Any] = {"task_id": 20, "unit_id": 7, "role": "lead"}


class ResponsibilityCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    task_id: Id
    unit_id: Id
    role: Role = "lead"


class ResponsibilityUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "participant"}]})

    role: Role = omissible()


class ResponsibilityRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "id": 31,
                    "version": 1,
                    "created_at": "2024-03-01T08:00:00Z",
                    "updated_at": "2024-03-01T08:00:00Z",
                }
            ]
        }
    )

    id: int
    task_id: int
    unit_id: int
    role: Role
    version: int
    created_at: datetime
    updated_at: datetime


# Query strings are text: a strict int would refuse every `?task_id=5`.
QueryId = Annotated[Id, Field(strict=False)]


class ResponsibilityQuery(ListQuery):
    task_id: QueryId | None = None
    unit_id: QueryId | None = None
    role: Role | None = None


ResponsibilityId = path_id("Responsibility id.")
