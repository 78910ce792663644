"""Every resource holds its item routes to the same id rules: an id that names nothing is a 404
naming it, and an id no record can have is a 422 before anything is read."""

from typing import Any

import pytest
from httpx import AsyncClient

from app.types import MAX_ID
from tests.helpers import RESOURCES, assert_problem


@pytest.mark.parametrize("resource", RESOURCES)
async def test_an_id_that_names_nothing_is_404(client: AsyncClient, resource: str) -> None:
    body = assert_problem(await client.get(f"/api/v1/{resource}/{MAX_ID}"), 404, "not_found")
    assert str(MAX_ID) in body["detail"]


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("bad_id", ["0", str(2**64), "-3", "1.5", "1e3", "abc"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_an_id_no_record_can_have_is_422(
    client: AsyncClient, resource: str, method: str, bad_id: str
) -> None:
    kwargs: dict[str, Any] = {"json": {"note": "x"}} if method == "PATCH" else {}
    response = await client.request(
        method, f"/api/v1/{resource}/{bad_id}", headers={"If-Match": "*"}, **kwargs
    )
    assert_problem(response, 422, "validation_failed")
