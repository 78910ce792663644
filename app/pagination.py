"""Keyset pagination: ``?limit=&cursor=`` in, ``{"items": [...], "next_cursor": ...}`` out."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from app.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_CURSOR_PREFIX = "k1:"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; `null` on the last page."
    )

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        # "UnitPage" rather than "Page_UnitRead_" in the OpenAPI document and generated clients.
        return f"{params[0].__name__.removesuffix('Read')}Page"


@dataclass(frozen=True)
class PageParams:
    limit: int
    after_id: int | None


def encode_cursor(last_id: int) -> str:
    raw = f"{_CURSOR_PREFIX}{last_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        if not raw.startswith(_CURSOR_PREFIX):
            raise ValueError(raw)
        value = int(raw[len(_CURSOR_PREFIX) :])
        if not 0 <= value < 2**63:
            raise ValueError(raw)
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise InvalidInput(
            "cursor is not one this service issued",
            errors=[{"parameter": "cursor", "detail": "unknown cursor"}],
        ) from exc
    return value


_KEY_PREFIX = "k2:"


def encode_key_cursor(values: tuple[int | str, ...]) -> str:
    """A cursor for rows ordered by several columns (no single id to resume after)."""
    raw = _KEY_PREFIX + ",".join(str(v) for v in values)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_key_cursor(cursor: str, arity: int) -> list[str]:
    """The values ``encode_key_cursor`` packed, as text; the caller casts them."""
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        if not raw.startswith(_KEY_PREFIX):
            raise ValueError(raw)
        values = raw[len(_KEY_PREFIX) :].split(",")
        if len(values) != arity:
            raise ValueError(raw)
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise InvalidInput(
            "cursor is not one this service issued",
            errors=[{"parameter": "cursor", "detail": "unknown cursor"}],
        ) from exc
    return values


class ListQuery(BaseModel):
    """Query parameters every list takes; subclasses add the resource's filters."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(
        default=DEFAULT_LIMIT,
        ge=1,
        description=f"Page size; default {DEFAULT_LIMIT}, anything above {MAX_LIMIT} is "
        f"coerced down to {MAX_LIMIT}.",
    )
    cursor: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Opaque keyset cursor from the previous page's `next_cursor`.",
    )

    def page(self) -> PageParams:
        return PageParams(
            limit=min(self.limit, MAX_LIMIT),
            after_id=decode_cursor(self.cursor) if self.cursor else None,
        )
