from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.indicators.progress import ABOUT_TOLERANCE
from app.pagination import ListQuery
from app.types import (
    Amount,
    Code,
    Id,
    InputModel,
    Label,
    LongText,
    Name,
    ReadModel,
    omissible,
    path_id,
)

COMPARATOR_DESCRIPTION = (
    "How the actual is held to the target: `gte` at least target_value (不少于, 以上); "
    "`lte` at most target_value (不超过, 零事故); `eq` exactly target_value; `between` from "
    "target_value to target_max (3-5家); `about` approximately target_value (左右, 约): "
    f"achieved once the actual is within a tolerance of {ABOUT_TOLERANCE:.0%} of the target's "
    "magnitude below it, or anywhere above it. Only `between` has a target_max."
)
Comparator = Annotated[
    Literal["gte", "lte", "eq", "between", "about"], Field(description=COMPARATOR_DESCRIPTION)
]
Aggregation = Literal["sum", "latest", "max"]
Frequency = Literal["annual", "semiannual", "quarterly", "monthly"]

_EXAMPLE: dict[str, Any] = {
    "task_id": 20,
    "code": "WP13-1",
    "name": "全年接待公众",
    "unit_label": "万人次",
    "comparator": "gte",
    "target_value": 200,
    "target_max": None,
    "baseline": None,
    "aggregation": "sum",
    "frequency": "quarterly",
    "source_text": "全年接待公众不少于 200 万人次",
    "reporter_unit_id": None,
}


def check_range(comparator: str, target_value: float, target_max: float | None) -> None:
    if comparator == "between":
        if target_max is None:
            raise ValueError("a `between` target needs target_max")
        if target_max < target_value:
            raise ValueError("target_max must not be below target_value")
    elif target_max is not None:
        raise ValueError("target_max is only for `between` targets")


class IndicatorCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    task_id: Id
    code: Code = Field(description="Unique within the plan.")
    name: Name
    unit_label: Label | Literal[""] = Field(default="", description="场, 个, 万人次 …")
    comparator: Comparator
    target_value: Amount
    target_max: Amount | None = Field(
        default=None,
        validate_default=True,
        description="Upper bound for `between`; null for every other comparator.",
    )
    baseline: Amount | None = None
    aggregation: Aggregation = "sum"
    frequency: Frequency = Field(default="annual", description="How often units report it.")
    source_text: LongText = ""
    reporter_unit_id: Id | None = Field(
        default=None,
        description="Who reports it, when not the task's lead units: a unit, or a group whose "
        "members each report. Null: the task's lead units report it. An indicator whose task "
        "has no lead unit and no reporter is owed by nobody; the dashboard lists it.",
    )

    @field_validator("target_max")
    @classmethod
    def _check_range(cls, target_max: float | None, info: ValidationInfo) -> float | None:
        # On the field, not the model, so the error points at #/target_max.
        if "comparator" in info.data and "target_value" in info.data:
            check_range(info.data["comparator"], info.data["target_value"], target_max)
        return target_max


class IndicatorUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"target_value": 220}]})

    code: Code = omissible()
    name: Name = omissible()
    unit_label: Label | Literal[""] = omissible()
    comparator: Comparator = omissible(COMPARATOR_DESCRIPTION)
    target_value: Amount = omissible()
    target_max: Amount | None = None
    baseline: Amount | None = None
    aggregation: Aggregation = omissible()
    frequency: Frequency = omissible()
    source_text: LongText = omissible()
    reporter_unit_id: Id | None = Field(
        default=None,
        description="Who reports it, when not the task's lead units: a unit, or a group whose "
        "members each report. Null: the task's lead units report it. An indicator whose task "
        "has no lead unit and no reporter is owed by nobody; the dashboard lists it.",
    )


class IndicatorRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "id": 12,
                    "plan_id": 1,
                    "version": 1,
                    "created_at": "2024-03-01T08:00:00Z",
                    "updated_at": "2024-03-01T08:00:00Z",
                }
            ]
        }
    )

    id: int
    task_id: int
    plan_id: int
    code: str
    name: str
    unit_label: str
    comparator: Comparator
    target_value: float
    target_max: float | None
    baseline: float | None
    aggregation: Aggregation
    frequency: Frequency
    source_text: str
    reporter_unit_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


# Query strings are text: a strict int would refuse every `?plan_id=5`.
QueryId = Annotated[Id, Field(strict=False)]


class IndicatorQuery(ListQuery):
    task_id: QueryId | None = None
    plan_id: QueryId | None = None
    code: Code | None = None


IndicatorId = path_id("Indicator id.")


class IndicatorProgress(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "indicator_id": 12,
                    "as_of": "2024-06-30",
                    "known_at": "2024-06-30T10:00:00Z",
                    "comparator": "gte",
                    "target_value": 200,
                    "target_max": None,
                    "aggregation": "sum",
                    "actual": 92.5,
                    "approved_actual": 58.5,
                    "expected": 99.7,
                    "elapsed_share": 0.4986,
                    "reports_counted": 2,
                    "status": "at_risk",
                }
            ]
        }
    )

    indicator_id: int
    as_of: date
    known_at: datetime = Field(
        description="What the figures knew: the `known_at` asked for, or the moment they were "
        "computed. Pass it back to get the same figures again."
    )
    comparator: Comparator
    target_value: float
    target_max: float | None
    aggregation: Aggregation
    actual: float | None = Field(
        description="Submitted and approved reports whose period has started by `as_of`, "
        "aggregated; null when there are none."
    )
    approved_actual: float | None = Field(description="The same over approved reports only.")
    expected: float = Field(
        description="The target scaled by the elapsed share of the year; for `about`, the "
        "target less its tolerance (the least value that counts as achieved), scaled the same."
    )
    elapsed_share: float
    reports_counted: int
    status: Literal["achieved", "on_track", "at_risk", "behind", "no_data"]
