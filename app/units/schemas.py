from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from app.pagination import ListQuery
from app.types import Code, Id, InputModel, Name, QueryId, ReadModel, omissible, path_id

UnitKind = Literal[
    "department", "institution", "society", "city", "university", "enterprise", "group", "other"
]

_EXAMPLE: dict[str, Any] = {
    "code": "HNAST-BGS",
    "name": "办公室",
    "kind": "department",
    "parent_id": None,
}


class UnitCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    code: Code
    name: Name
    kind: UnitKind = "other"
    parent_id: Id | None = Field(
        default=None, description="The unit this one belongs to (e.g. its group)."
    )


class UnitUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "办公室（督查室）"}]})

    code: Code = omissible()
    name: Name = omissible()
    kind: UnitKind = omissible()
    parent_id: Id | None = None


class UnitRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "id": 1,
                    "is_inferred": False,
                    "version": 1,
                    "created_at": "2024-01-15T08:00:00Z",
                    "updated_at": "2024-01-15T08:00:00Z",
                }
            ]
        }
    )

    id: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None
    is_inferred: bool = Field(description="Created by a notice import with a guessed kind.")
    version: int
    created_at: datetime
    updated_at: datetime


class UnitQuery(ListQuery):
    code: Code | None = None
    kind: UnitKind | None = None
    parent_id: QueryId | None = None
    q: Name | None = Field(default=None, description="Substring of the name or code.")


UnitId = path_id("Unit id.")
