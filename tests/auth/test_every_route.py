"""Every /api/v1 operation refuses a request without valid credentials — before looking at
its body or parameters. The list comes from the OpenAPI document, so a new route is covered
the day it is added."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from app.main import create_app
from tests.helpers import RESOURCES

ROUTES = sorted(
    (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
    for path, operations in create_app().openapi()["paths"].items()
    if path.startswith("/api/v1")
    for method in operations
)


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


def test_every_collection_is_covered() -> None:
    collections = {path.split("/")[3] for _, path in ROUTES}
    assert {*RESOURCES, "plan-imports", "api-keys", "audit-events"} <= collections
