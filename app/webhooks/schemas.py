from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field

from app.events.naming import MAX_TYPES
from app.events.schemas import EventRead
from app.pagination import ListQuery
from app.types import Id, InputModel, ReadModel, omissible, path_id

WebhookEndpointId = path_id("The webhook endpoint's id.")
WebhookDeliveryId = path_id("The delivery's id.")
DeliveryStatus = Literal["pending", "succeeded", "failed"]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL")
    return value


Url = Annotated[str, Field(min_length=8, max_length=2000), AfterValidator(_no_nul)]
Description = Annotated[str, Field(max_length=500), AfterValidator(_no_nul)]
EventTypes = Annotated[
    list[Annotated[str, Field(min_length=3, max_length=100)]],
    Field(
        max_length=MAX_TYPES,
        description="Event types to receive (`indicator_report.approved`, `task.*`); empty: "
        "every event. A bulk upload reaches an endpoint as one `bulk_upload.completed` unless it "
        "names the record types here; then it gets those records in `events.batch` messages of "
        "up to 500.",
    ),
]

_EXAMPLE: dict[str, Any] = {
    "url": "https://oa.example.gov.cn/hooks/luoshi",
    "event_types": ["indicator_report.approved", "indicator_report.returned"],
    "plan_id": None,
    "unit_id": 12,
    "description": "OA 待办",
}
_READ_EXAMPLE: dict[str, Any] = {
    **_EXAMPLE,
    "id": 3,
    "enabled": True,
    "disabled_reason": None,
    "failing_since": None,
    "previous_secret_expires_at": None,
    "version": 1,
    "created_at": "2024-07-01T08:00:00Z",
    "updated_at": "2024-07-01T08:00:00Z",
}
_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - a documentation example


class WebhookEndpointCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    url: Url = Field(description="Where deliveries are POSTed (http or https).")
    event_types: EventTypes = Field(default_factory=list)
    plan_id: Id | None = Field(default=None, description="Only events about this plan.")
    unit_id: Id | None = Field(default=None, description="Only events in this unit's scope.")
    description: Description = ""


class WebhookEndpointUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"enabled": False}]})

    url: Url = omissible()
    event_types: EventTypes = omissible()
    description: Description = omissible()
    enabled: bool = omissible(
        "false stops deliveries (they wait); true resumes them and clears the reason."
    )


class WebhookEndpointRead(ReadModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_READ_EXAMPLE]})

    id: int
    url: str
    event_types: list[str]
    plan_id: int | None
    unit_id: int | None
    description: str
    enabled: bool
    disabled_reason: str | None = Field(description="Why the service disabled it, if it did.")
    failing_since: datetime | None = Field(
        description="When deliveries began to fail; null while they succeed."
    )
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation: until then the old secret signs as well."
    )
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookEndpointWithSecret(WebhookEndpointRead):
    model_config = ConfigDict(json_schema_extra={"examples": [_READ_EXAMPLE | {"secret": _SECRET}]})

    secret: str = Field(
        description="The signing secret (Standard Webhooks, `whsec_…`). Shown only in this "
        "answer: store it now."
    )


class WebhookDeliveryRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 77,
                    "endpoint_id": 3,
                    "event_type": "indicator_report.approved",
                    "status": "succeeded",
                    "attempts": 1,
                    "response_status": 204,
                    "latency_ms": 38,
                    "last_error": None,
                    "next_attempt_at": "2024-07-03T01:00:00Z",
                    "last_attempt_at": "2024-07-03T01:00:00Z",
                    "created_at": "2024-07-03T01:00:00Z",
                    "finished_at": "2024-07-03T01:00:00Z",
                }
            ]
        }
    )

    id: int
    endpoint_id: int
    event_type: str
    status: DeliveryStatus
    attempts: int
    response_status: int | None = Field(description="The HTTP status of the last answer.")
    latency_ms: int | None = Field(description="How long the last attempt took.")
    last_error: str | None = Field(description="Why the last attempt failed.")
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None


class DeliveryQuery(ListQuery):
    status: DeliveryStatus | None = Field(default=None, description="Only deliveries in it.")


class EndpointQuery(ListQuery):
    enabled: bool | None = None


class EventBatch(ReadModel):
    """Records of one bulk upload, for an endpoint that named their types."""

    events: list[EventRead] = Field(description="Change-feed events, in feed order.")
    count: int = Field(description="How many events this batch holds (at most 500).")


class WebhookTest(ReadModel):
    """What `POST …/{id}/test` sends."""

    endpoint_id: int
    message: str


_CHANGE: dict[str, Any] = {
    "id": 90211,
    "type": "indicator_report.approved",
    "occurred_at": "2024-07-03T01:00:00Z",
    "actor": {"key_id": 4, "name": "办公室 supervisor"},
    "entity": {"type": "indicator_report", "id": 901},
    "changes": {"status": ["submitted", "approved"]},
    "request_id": "0c4e9a1b7d2f4e3a9b8c7d6e5f4a3b2c",
}
_UPLOAD: dict[str, Any] = {
    "id": 190402,
    "type": "bulk_upload.completed",
    "occurred_at": "2024-07-03T02:00:00Z",
    "actor": {"key_id": 7, "name": "省统计平台 integration"},
    "entity": {"type": "bulk_upload", "id": 55},
    "changes": {
        "resource": [None, "indicator-reports"],
        "mode": [None, "upsert"],
        "total": [None, 100000],
        "created": [None, 99000],
        "updated": [None, 1000],
        "unchanged": [None, 0],
        "failed": [None, 0],
        "job_id": [None, 55],
    },
    "request_id": "6a1f0d3c9c9e4d8b8e9f1a2b3c4d5e6f",
}


class WebhookMessage(ReadModel):
    """The body of every delivery (Standard Webhooks payload shape)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"type": "indicator_report.approved", "timestamp": "2024-07-03T01:00:00Z",
                 "data": _CHANGE},
                {"type": "bulk_upload.completed", "timestamp": "2024-07-03T02:00:01Z",
                 "data": _UPLOAD},
                {"type": "events.batch", "timestamp": "2024-07-03T02:00:01Z",
                 "data": {"events": [_CHANGE], "count": 1}},
            ]
        }
    )  # fmt: skip

    type: str = Field(
        description="The event type (as in the change feed); `webhook.test` for a test, "
        "`events.batch` for records of a bulk upload, a page at a time."
    )
    timestamp: datetime
    data: EventRead | EventBatch | WebhookTest = Field(
        description="The change-feed event (as `GET /events` shows it; `bulk_upload.completed` "
        "too), the batch (`events.batch`), or the test message (`webhook.test`)."
    )
