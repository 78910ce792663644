"""Constrained field types shared by every input model: nothing unbounded gets in."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

MAX_ID = 2**63 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL bytes")
    return value


def _iso_date_only(value: Any) -> Any:
    # Lax pydantic would read 1700000000 as a timestamp; a government date is always written out.
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        raise ValueError("must be an ISO 8601 date string, e.g. 2024-12-31")
    return value


def _whole_number(value: Any) -> Any:
    # JSON does not tell 2024 from 2024.0, some systems write every number with a point, and
    # the OpenAPI `integer` type accepts both. A fraction, a string or a boolean stays an error.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = BeforeValidator(_whole_number)


def _text(max_length: int, min_length: int = 1) -> Any:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
    ]


Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.\-]+$"),
    Field(description="Stable natural key: letters, digits, `_`, `.`, `-`.", examples=["ORG-01"]),
]
Name = _text(200)
Title = _text(500)
Label = _text(32)
Number = _text(16)
Note = _text(4000, 0)
Message = _text(4000)
LongText = _text(20000, 0)
RequiredText = _text(20000)
Id = Annotated[int, Field(strict=True, ge=1, le=MAX_ID), WholeNumber]
Percent = Annotated[int, Field(strict=True, ge=0, le=100), WholeNumber]
# Targets and report values: 15 significant digits before the point covers any statistic we track.
Amount = Annotated[float, Field(strict=True, ge=-1e15, le=1e15, allow_inf_nan=False)]
Year = Annotated[int, Field(strict=True, ge=1949, le=2200), WholeNumber]
GraceDays = Annotated[int, Field(strict=True, ge=0, le=366), WholeNumber]
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


class InputModel(BaseModel):
    """Base of request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omissible(description: str | None = None, **constraints: Any) -> Any:
    """A PATCH field that may be left out but not set to null (its column is NOT NULL)."""
    return Field(
        default=None, description=description, json_schema_extra=_no_default, **constraints
    )


# Query strings are text: their numbers are parsed, not held to JSON's strict types.
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
QueryYear = Annotated[int, Field(ge=1949, le=2200)]


def path_id(description: str) -> Any:
    """A record's id in the URL path (``/plans/{plan_id}``): each domain names its own."""
    return Annotated[int, Path(ge=1, le=MAX_ID, description=description)]
