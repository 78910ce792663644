from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.events.naming import MAX_TYPES
from app.types import QueryId

MAX_WAIT_SECONDS = 30

_EXAMPLE: dict[str, Any] = {
    "id": 90211,
    "type": "indicator_report.updated",
    "occurred_at": "2024-07-03T01:00:00Z",
    "actor": {"key_id": 4, "name": "省科技馆 reporter"},
    "entity": {"type": "indicator_report", "id": 901},
    "changes": {"value": [50.0, 58.5], "status": ["draft", "submitted"]},
    "request_id": "6a1f0d3c9c9e4d8b8e9f1a2b3c4d5e6f",
}


class EventActor(BaseModel):
    key_id: int | None = Field(description="API key that made the change; null for the system.")
    name: str


class EventEntity(BaseModel):
    type: str = Field(examples=["indicator_report"])
    id: int | None


class EventRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    id: int = Field(description="The event's id; unique, but not the feed's order.")
    type: str = Field(
        description="`<entity type>.<what happened>`: `created`, `updated`, `deleted`, "
        "`imported`, `approved`, `returned`, `reopened`, `api_key.revoked`, `reminder.sent`, "
        "`reminder.replied`, `bulk_upload.completed` (last of an upload's events); dates "
        "passing (actor `system`): `obligation.due_soon`, `obligation.overdue`, "
        "`milestone.overdue`, `task.health_changed`.",
        examples=["indicator_report.updated"],
    )
    occurred_at: datetime
    actor: EventActor
    entity: EventEntity
    changes: dict[str, Any] = Field(
        description="Field → `[old, new]`. A `created` event carries every field (the new "
        "record), a `deleted` one every field it had (`new` is null), an `updated` one the "
        "fields that changed."
    )
    request_id: str | None = Field(description="The `X-Request-ID` of the write.")


class EventPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_EXAMPLE], "next_cursor": "azI6MTIzNCwwMA"}]}
    )

    items: list[EventRead]
    next_cursor: str = Field(
        description="Always present, even on an empty page: pass it as `after` to get what "
        "comes next. Store it after handling the page; resuming from it never skips and never "
        "repeats an event."
    )


class EventQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A `next_cursor` from an earlier answer; without it the feed starts at the "
        "first event.",
    )
    type: list[str] = Field(
        default_factory=list,
        max_length=MAX_TYPES,
        description="Only these event types: repeat the parameter or separate with commas; "
        "`indicator_report.*` matches every event of that entity type.",
        examples=[["indicator_report.*", "task.updated"]],
    )
    plan_id: QueryId | None = Field(
        default=None, description="Only events about this plan and what belongs to it."
    )
    unit_id: QueryId | None = Field(
        default=None,
        description="Only events in this unit's scope: the unit itself, its reports, and the "
        "tasks it (or a group it belongs to) is responsible for, with their indicators, "
        "milestones, responsibilities and progress updates.",
    )
    limit: int = Field(
        default=100,
        ge=1,
        description="Page size; default 100, anything above 500 is coerced down to 500.",
    )
    wait: int = Field(
        default=0,
        ge=0,
        le=MAX_WAIT_SECONDS,
        description="Seconds to wait, when nothing is there yet, for something to commit "
        f"(long poll, at most {MAX_WAIT_SECONDS}); the answer is empty if nothing did.",
    )
