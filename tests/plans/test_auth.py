"""Every route of plans, tasks, responsibilities, milestones, indicators and indicator reports
refuses a request without valid credentials — before looking at its body or parameters."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

COLLECTIONS = [
    "plans",
    "tasks",
    "responsibilities",
    "milestones",
    "indicators",
    "indicator-reports",
]
ROUTES = [
    *((method, f"/api/v1/{c}") for c in COLLECTIONS for method in ("GET", "POST")),
    *((method, f"/api/v1/{c}/1") for c in COLLECTIONS for method in ("GET", "PATCH", "DELETE")),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
class TestWithoutCredentials:
    async def test_no_key_is_401_with_challenge(
        self, anon: AsyncClient, method: str, path: str
    ) -> None:
        # An empty body would be a 422 if validation ran first.
        body = {} if method in {"POST", "PATCH"} else None
        response = await anon.request(method, path, json=body, headers={"If-Match": "*"})
        assert response.status_code == 401, response.text
        assert response.headers["content-type"].split(";")[0] == "application/problem+json"
        assert response.headers["www-authenticate"].lower().startswith("bearer")
        problem = response.json()
        assert problem["code"] == "unauthorized"
        assert problem["status"] == 401

    async def test_unknown_key_is_401(self, anon: AsyncClient, method: str, path: str) -> None:
        response = await anon.request(
            method,
            path,
            json={} if method in {"POST", "PATCH"} else None,
            headers={"Authorization": "Bearer lsk_not-a-key", "If-Match": "*"},
        )
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].lower().startswith("bearer")
        assert response.json()["code"] == "unauthorized"


def test_the_list_covers_every_route(app: FastAPI) -> None:
    """A route added to these resources later must be added to ROUTES above."""
    served = {
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in app.openapi()["paths"].items()
        if any(path == f"/api/v1/{c}" or path.startswith(f"/api/v1/{c}/") for c in COLLECTIONS)
        for method in operations
    }
    assert served == set(ROUTES)
