"""Every error leaves the service as RFC 9457 ``application/problem+json``."""

from __future__ import annotations

import logging
import time
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.json import dumps

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://luoshi.dev/problems/"


class ProblemItem(BaseModel):
    """One thing wrong with the request."""

    pointer: str | None = Field(
        default=None, description="JSON Pointer into the request body, e.g. `#/title`."
    )
    parameter: str | None = Field(
        default=None, description="Query, path or header parameter, e.g. `limit`."
    )
    detail: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": PROBLEM_BASE + "not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "task 42 does not exist",
                    "code": "not_found",
                }
            ]
        }
    )

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable error code.")
    instance: str | None = None
    errors: list[ProblemItem] | None = None


class AppError(Exception):
    """A failure the client can understand; rendered as a problem document."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Unauthorized"


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    status, code, title = 412, "precondition_failed", "Precondition failed"


class TooManyRequests(AppError):
    status, code, title = 429, "too_many_requests", "Too many requests"


class InvalidInput(AppError):
    status, code, title = 422, "invalid_input", "Invalid input"


_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    429: ("too_many_requests", "Too many requests"),
}


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code.replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_items(exc: RequestValidationError) -> list[dict[str, str]]:
    items = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        message = str(err.get("msg", "invalid"))
        if loc and loc[0] == "body":
            pointer = "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in loc[1:])
            items.append({"pointer": pointer, "detail": message})
        elif loc:
            items.append({"parameter": loc[-1] if len(loc) > 1 else loc[0], "detail": message})
        else:
            items.append({"detail": message})
    return items


_PG_INPUT_ERRORS = (
    asyncpg.exceptions.DataError,  # bad values: out of range, invalid text, NUL bytes
    asyncpg.exceptions.IntegrityConstraintViolationError,
)


def db_error_to_problem(exc: DBAPIError | asyncpg.PostgresError) -> AppError | None:
    """Map a database error caused by the request's data to a 4xx; ``None`` means a real fault."""
    # Statements run on the asyncpg connection itself raise its errors unwrapped.
    wrapped = getattr(exc, "orig", None)
    orig = (getattr(wrapped, "__cause__", None) or wrapped) if wrapped is not None else exc
    constraint = getattr(orig, "constraint_name", None) or ""
    if isinstance(exc, IntegrityError) or isinstance(
        orig, asyncpg.exceptions.IntegrityConstraintViolationError
    ):
        if isinstance(orig, asyncpg.exceptions.UniqueViolationError):
            return Conflict(f"a record with the same key already exists ({constraint})")
        if isinstance(orig, asyncpg.exceptions.ForeignKeyViolationError):
            return Conflict(f"the change would break a reference ({constraint})")
        return InvalidInput(f"the change violates a rule of the data ({constraint or 'check'})")
    if isinstance(orig, _PG_INPUT_ERRORS):
        return InvalidInput(f"the database refused a value: {orig.__class__.__name__}")
    return None


# SQLSTATE classes that mean "the server is not there for us": connection exceptions (08),
# and operator intervention (57: shutting down, crashed, starting up, connections refused).
_OUTAGE_SQLSTATES = ("08", "57P", "53300")
OUTAGE_RETRY_AFTER = 5  # seconds a client should wait before trying again
_OUTAGE_QUIET = 30.0  # an outage is one event while failures keep coming less than this apart


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached, rather than refusing a request."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError | TimeoutError | PoolTimeout):
            return True  # refused, reset, unreachable, or no connection free in time
        if isinstance(
            current,
            asyncpg.InterfaceError
            | asyncpg.ConnectionDoesNotExistError
            | asyncpg.exceptions._base.InternalClientError,
        ):
            return True  # the connection was closed, or left mid-operation, under us
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_OUTAGE_SQLSTATES):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


class _OutageLog:
    """One log line per outage, not one traceback per request."""

    def __init__(self) -> None:
        self.last_failure = 0.0
        self.failures = 0

    def note(self, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self.last_failure > _OUTAGE_QUIET:
            log.warning(
                "database unreachable; answering 503 until it is back",
                extra={"error": exc.__class__.__name__},
            )
            self.failures = 0
        self.last_failure = now
        self.failures += 1


outage_log = _OutageLog()


def outage_response(exc: BaseException) -> Response:
    outage_log.note(exc)
    return problem_response(
        503,
        "database_unavailable",
        "Database unavailable",
        "the database cannot be reached; try again shortly",
        headers={"Retry-After": str(OUTAGE_RETRY_AFTER)},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the one renderer for every kind of failure."""

    @app.exception_handler(AppError)
    async def handle_app_error(request: Request, exc: AppError) -> Response:
        return problem_response(
            exc.status, exc.code, exc.title, exc.detail, errors=exc.errors, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def handle_validation(request: Request, exc: RequestValidationError) -> Response:
        items = _validation_items(exc)
        detail = "; ".join(
            f"{i.get('pointer') or i.get('parameter') or 'request'}: {i['detail']}"
            for i in items[:5]
        )
        return problem_response(
            422, "validation_failed", "Request is not valid", detail or "invalid", errors=items
        )

    @app.exception_handler(StarletteHTTPException)
    async def handle_http(request: Request, exc: StarletteHTTPException) -> Response:
        code, title = _HTTP_CODES.get(exc.status_code, ("http_error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem_response(
            exc.status_code, code, title, detail, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(DBAPIError)
    @app.exception_handler(asyncpg.PostgresError)
    @app.exception_handler(asyncpg.InterfaceError)
    async def handle_db(request: Request, exc: Exception) -> Response:
        if is_outage(exc):
            return outage_response(exc)
        from_data = isinstance(exc, DBAPIError | asyncpg.PostgresError)
        mapped = db_error_to_problem(exc) if from_data else None
        if mapped is None:
            log.exception("database error")
            return problem_response(
                503, "database_unavailable", "Database error", "the database could not answer"
            )
        return problem_response(mapped.status, mapped.code, mapped.title, mapped.detail)

    # A refused or timed-out connect is not a database error class: handled here, in the
    # exception middleware, it gets its 503 without Starlette re-raising it (as it does for
    # the catch-all below) and logging a traceback per request.
    @app.exception_handler(OSError)
    @app.exception_handler(TimeoutError)
    @app.exception_handler(PoolTimeout)
    @app.exception_handler(asyncpg.exceptions._base.InternalClientError)
    async def handle_connection_failure(request: Request, exc: Exception) -> Response:
        return outage_response(exc)  # the request path does no other I/O than the database

    @app.exception_handler(Exception)
    async def handle_unexpected(request: Request, exc: Exception) -> Response:
        if is_outage(exc):  # a refused connect is an OSError, not a database error
            return outage_response(exc)
        log.exception("unhandled error")
        return problem_response(
            500, "internal_error", "Internal server error", "an unexpected error occurred"
        )
