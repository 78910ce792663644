"""The language a domain writes its bulk spec in: how a cell becomes a value (converters),
and what a resource's upload is (fields, target columns, per-row checks, the SQL that finds
each row's records). Each domain's spec lives in its own package (``app/tasks/bulk.py`` …);
``app.bulk.resources`` lists them.

Pure: converters are plain functions (a Pydantic model per row costs more than the rest of the
upload), and the SQL is text the service runs against the staged rows. In that SQL ``s`` is
the staging table and ``t`` the target table, joined on the record's natural key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from app.types import MAX_ID

AMOUNT_LIMIT = Decimal(10) ** 15


class FieldError(ValueError):
    """One cell that cannot be used: a stable code and a message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Converter = Callable[[Any], Any]

# --- converters: cell (str from CSV, JSON value, xlsx value) → staged value -----------------

_CODE = re.compile(r"[\w.\-]{1,64}")


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FieldError("invalid_type", "must be text")
    return str(value)


@lru_cache(maxsize=65536)
def _code_of(text: str) -> str:
    text = text.strip()
    if _CODE.fullmatch(text) is None:
        raise FieldError("invalid", "must be 1–64 letters, digits, `_`, `.` or `-`")
    return text


def code(value: Any) -> str:
    return _code_of(as_text(value))


def text(max_length: int) -> Converter:
    def convert(value: Any) -> str:
        result = as_text(value).strip()
        if "\x00" in result:
            raise FieldError("invalid", "must not contain NUL bytes")
        if len(result) > max_length:
            raise FieldError("too_long", f"at most {max_length} characters")
        return result

    return convert


def choice(options: tuple[str, ...]) -> Converter:
    allowed = frozenset(options)
    listed = ", ".join(options)

    def convert(value: Any) -> str:
        if not isinstance(value, str) or value.strip() not in allowed:
            raise FieldError("invalid_choice", f"must be one of: {listed}")
        return value.strip()

    return convert


def integer(low: int, high: int) -> Converter:
    def convert(value: Any) -> int:
        if isinstance(value, bool):
            raise FieldError("invalid_type", "must be a whole number")
        if isinstance(value, str):
            stripped = value.strip()
            if not stripped.lstrip("+-").isdigit() or len(stripped) > 20:
                raise FieldError("invalid_type", "must be a whole number")
            value = int(stripped)
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise FieldError("invalid_type", "must be a whole number")
        if not low <= value <= high:
            raise FieldError("out_of_range", f"must be between {low} and {high}")
        return value

    return convert


identifier = integer(1, MAX_ID)


def amount(value: Any) -> Decimal:
    """A target or report value: finite, at most 10¹⁵ in size; stored with 4 decimals."""
    if isinstance(value, bool):
        raise FieldError("invalid_type", "must be a number")
    if isinstance(value, int):
        result = Decimal(value) if -(10**15) <= value <= 10**15 else None
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str) and len(value) <= 64:
        try:
            result = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise FieldError("invalid_type", "must be a number") from None
    elif isinstance(value, Decimal):
        result = value
    else:
        raise FieldError("invalid_type", "must be a number")
    if result is None or not result.is_finite() or abs(result) > AMOUNT_LIMIT:
        raise FieldError("out_of_range", "must be a finite number between -10^15 and 10^15")
    return result


def iso_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return _date_of(value.strip())
        except ValueError:
            pass
    raise FieldError("invalid_date", "must be an ISO 8601 date, e.g. 2024-12-31")


@lru_cache(maxsize=4096)
def _date_of(text: str) -> date:
    if len(text) != 10:
        raise ValueError(text)
    return date.fromisoformat(text)


# --- specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A column of the upload.

    ``stage`` is its type in the staging table; ``key`` fields are part of the natural key and
    must be in every row. ``alternatives`` are other fields that can stand in for this one
    (a task's ``task_id`` instead of ``plan`` + ``task``). ``derived`` columns are staged
    beside it: ``split`` turns the converted value into the value staged for the field followed
    by one value per derived column (a period and its dates).
    """

    name: str
    convert: Converter
    stage: str
    key: bool = False
    alternatives: tuple[str, ...] = ()
    description: str = ""
    derived: tuple[tuple[str, str], ...] = ()  # (name, staging type)
    split: Callable[[Any], tuple[Any, ...]] | None = None


@dataclass(frozen=True)
class Column:
    """A target column the upload writes (beyond the natural key).

    It is written when ``field`` is among the upload's columns. An empty cell keeps a
    ``NOT NULL`` column's value (or takes ``default`` on create) and clears a nullable one.
    A ``NOT NULL`` column with no default must be given to create a record.
    """

    name: str
    field: str
    nullable: bool = False
    default: str | None = None  # SQL, for new records


@dataclass(frozen=True)
class Check:
    """A per-row rule over the resolved rows: where ``condition`` holds, the row fails."""

    field: str
    code: str
    condition: str
    message: str  # SQL text expression
    # A reporter's scope checks already refuse these rows (as `forbidden`): not run for them,
    # so one mistake is one error.
    covered_by_scope: bool = False


@dataclass(frozen=True)
class Spec:
    resource: str
    table: str
    entity_type: str  # as the audit trail names it
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # resolved columns that identify a record (written on create)
    columns: tuple[Column, ...]
    source: str  # FROM clause: s (staging) LEFT JOIN ... t (target) ...
    resolved: tuple[str, ...]  # select-list items over `source`
    checks: tuple[Check, ...] = ()
    # column → SQL overriding its value, or a function of every column's plain value (given,
    # else kept, else the default: column → SQL) that gives that SQL
    final: dict[str, str | Callable[[Mapping[str, str]], str]] = field(default_factory=dict)
    insert_extra: dict[str, str] = field(default_factory=dict)
    update_extra: dict[str, str] = field(default_factory=dict)
    reporter_may_upload: bool = False
    example_csv: str = ""
    # Records form a tree through parent_id (units, tasks). A parent may be another new record
    # of the same upload: then `resolved` gives parent_id as minus that row's number, and the
    # service gives the new records their ids before writing them, and refuses loops.
    tree: bool = False

    @property
    def names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


def not_found(field_name: str, condition: str, what: str, value: str) -> Check:
    """A row naming a record that does not exist: ``no <what> <value>``."""
    return Check(field_name, "not_found", condition, f"format('no {what} %s', {value})")


def stage_columns(spec: Spec) -> list[tuple[str, str]]:
    """The staging table's columns after ``row``: one per field, then the derived ones."""
    columns = [(f.name, f.stage) for f in spec.fields]
    return columns + [column for f in spec.fields for column in f.derived]
