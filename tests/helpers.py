"""Assertions shared by the API tests."""

from __future__ import annotations

from typing import Any

from httpx import Response

PROBLEM = "application/problem+json"


def assert_problem(response: Response, status: int | set[int], code: str | None = None) -> Any:
    """An RFC 9457 problem with the given status (or one of them) and, if given, code."""
    allowed = status if isinstance(status, set) else {status}
    assert response.status_code in allowed, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert body["status"] == response.status_code
    assert body["title"]
    assert body["detail"]
    if code is not None:
        assert body["code"] == code
    return body
