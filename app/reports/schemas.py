from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.pagination import ListQuery
from app.reports.periods import MAX_LENGTH, PERIOD_PATTERN, parse_period
from app.types import Amount, Id, InputModel, Note, ReadModel, omissible, path_id

ReportStatus = Literal["draft", "submitted", "approved", "returned"]
WritableStatus = Literal["draft", "submitted"]


def _normalise_period(value: str) -> str:
    return str(parse_period(value))


PeriodText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=4, max_length=MAX_LENGTH),
    AfterValidator(_normalise_period),
    Field(
        description="`2024`, `2024H1`, `2024Q2` or `2024-05` (`2024-Q2` and `202405` are "
        "accepted and normalised). Its granularity must match the indicator's frequency.",
        examples=["2024Q2"],
        json_schema_extra={"pattern": PERIOD_PATTERN},
    ),
]

_EXAMPLE: dict[str, Any] = {
    "indicator_id": 12,
    "unit_id": 7,
    "period": "2024Q2",
    "value": 58.5,
    "note": "二季度接待公众58.5万人次",
    "status": "submitted",
}


class ReportCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    indicator_id: Id
    unit_id: Id
    period: PeriodText
    value: Amount
    note: Note = ""
    status: WritableStatus = Field(
        default="submitted", description="`draft` keeps it out of the figures until submitted."
    )


class ReportUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"value": 61, "note": "更正"}]})

    value: Amount = omissible()
    note: Note = omissible()
    status: WritableStatus = omissible(
        "Submit a draft, or take a submitted report back to draft. Review decides the rest."
    )


class ReportRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "id": 901,
                    "submitted_by_key_id": 4,
                    "review_comment": "",
                    "first_submitted_at": "2024-07-03T09:12:00Z",
                    "reviewed_at": None,
                    "version": 1,
                    "created_at": "2024-07-03T01:00:00Z",
                    "updated_at": "2024-07-03T01:00:00Z",
                }
            ]
        }
    )

    id: int
    indicator_id: int
    unit_id: int
    period: str
    value: float
    note: str
    status: ReportStatus
    submitted_by_key_id: int | None = Field(description="API key that last put the value forward.")
    review_comment: str
    first_submitted_at: datetime | None = Field(
        description="When the value was first put forward (not as a draft); on-time reporting "
        "is judged by it."
    )
    reviewed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


# Query strings are text: a strict int would refuse every `?indicator_id=5`.
QueryId = Annotated[Id, Field(strict=False)]


class ReportQuery(ListQuery):
    indicator_id: QueryId | None = None
    unit_id: QueryId | None = None
    period: PeriodText | None = None
    status: ReportStatus | None = None
    plan_id: QueryId | None = None


ReportId = path_id("Indicator report id.")


class ReportReview(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"decision": "return", "comment": "请附接待人次统计表"}]}
    )

    decision: Literal["approve", "return", "reopen"] = Field(
        description="`approve` a submitted report (locks it), `return` it to its unit for "
        "correction (a comment is required), or `reopen` an approved one."
    )
    comment: Note = ""

    @model_validator(mode="after")
    def _returned_with_reason(self) -> "ReportReview":
        if self.decision == "return" and not self.comment:
            raise ValueError("say why the report is returned (comment)")
        return self


class ReportHistoryItem(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    occurred_at: datetime
    actor_key_id: int | None
    actor_name: str
    action: str = Field(
        description="`create`, `update` or `delete`; a review decision is `approve`, `return` "
        "or `reopen`."
    )
    changes: dict[str, Any] = Field(description="Field → [old, new]; review comments included.")
    request_id: str | None


class ReportHistory(BaseModel):
    items: list[ReportHistoryItem]
