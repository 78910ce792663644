from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from app.pagination import ListQuery
from app.types import QueryId, ReadModel


class AuditEventRead(ReadModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 88,
                    "occurred_at": "2024-07-03T01:00:00Z",
                    "actor_key_id": 4,
                    "actor_name": "省科技馆 reporter",
                    "action": "update",
                    "entity_type": "indicator_report",
                    "entity_id": 901,
                    "changes": {"value": [50.0, 58.5]},
                    "request_id": "6a1f0d3c9c9e4d8b8e9f1a2b3c4d5e6f",
                }
            ]
        },
    )

    id: int
    occurred_at: datetime
    actor_key_id: int | None
    actor_name: str
    action: str = Field(
        description="`create`, `update`, `delete`, `import`; a report's review decision is "
        "`approve`, `return` or `reopen`."
    )
    entity_type: str
    entity_id: int | None
    changes: dict[str, Any] = Field(description="Field → [old, new].")
    request_id: str | None


class AuditQuery(ListQuery):
    entity_type: str | None = Field(default=None, max_length=64, pattern=r"^[a-z_]+$")
    entity_id: QueryId | None = None
    actor: QueryId | None = Field(default=None, description="API key id of the actor.")
    since: datetime | None = Field(default=None, description="Only events at or after this time.")
