from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field

from app.pagination import ListQuery
from app.types import Id, InputModel, Name, ReadModel

Role = Literal["admin", "supervisor", "reporter", "reader"]


class ApiKeyCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "省科技馆 填报", "role": "reporter", "unit_id": 7, "expires_at": None}
            ]
        }
    )

    name: Name = Field(description="Who or what uses the key.")
    role: Role
    unit_id: Id | None = Field(default=None, description="Required for, and only for, reporters.")
    expires_at: AwareDatetime | None = Field(
        default=None, description="RFC 3339 with offset; refused from then on."
    )


class ApiKeyRead(ReadModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 4,
                    "name": "省科技馆 填报",
                    "role": "reporter",
                    "unit_id": 7,
                    "prefix": "lsk_Q2x9aB3c",
                    "created_at": "2024-03-01T08:00:00Z",
                    "last_used_at": "2024-07-03T01:00:00Z",
                    "expires_at": None,
                    "revoked_at": None,
                }
            ]
        },
    )

    id: int
    name: str
    role: Role
    unit_id: int | None
    prefix: str = Field(description="The key's first characters, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret. Shown this once; only its hash is stored.")


class ApiKeyQuery(ListQuery):
    pass
