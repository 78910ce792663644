"""Response helpers shared by the routers: item with ETag, created with Location, pages, docs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from app.crud import etag_of
from app.errors import PROBLEM_MEDIA_TYPE, Problem
from app.pagination import Page

API_PREFIX = "/api/v1"

_PROBLEM_TEXT = {
    400: "The body could not be read (not UTF-8, or not the declared format).",
    401: "Missing, unknown, revoked or expired API key.",
    403: "The key's role or unit does not allow this.",
    404: "No such record.",
    409: "Conflicts with existing data (duplicate key, or records still depend on it).",
    412: "`If-Match` does not name the current version.",
    413: "The request body is too large.",
    415: "The body's `Content-Type` is not one this operation reads.",
    422: "The request is not valid; `errors` points at each problem.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "The database cannot be reached; retry after `Retry-After` seconds.",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give: 401, 422, 429 and 503
    always (every route needs a key, reads parameters, counts against the key's rate limit,
    and needs the database)."""
    return {
        code: {
            "model": Problem,
            "description": _PROBLEM_TEXT[code],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in sorted({401, 422, 429, 503, *codes})
    }


def json_response(
    body: BaseModel, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        body.__pydantic_serializer__.to_json(body),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def item_response(schema: type[BaseModel], obj: Any, *, status_code: int = 200) -> Response:
    """A single record, with its ``ETag``."""
    return json_response(
        schema.model_validate(obj), status_code=status_code, headers={"ETag": etag_of(obj)}
    )


def created_response(schema: type[BaseModel], obj: Any, *, collection: str) -> Response:
    """201 with ``Location`` and ``ETag``."""
    return json_response(
        schema.model_validate(obj),
        status_code=201,
        headers={"ETag": etag_of(obj), "Location": f"{API_PREFIX}/{collection}/{obj.id}"},
    )


def page_response(schema: type[BaseModel], rows: list[Any], next_cursor: str | None) -> Response:
    page = Page[schema](  # type: ignore[valid-type]
        items=[schema.model_validate(row) for row in rows], next_cursor=next_cursor
    )
    return json_response(page)


def no_content() -> Response:
    return Response(status_code=204)
