"""`luoshi api-key create`'s side when a service is running: ask it for the key over HTTP, so
the key is stored where the service will look for it. No database, no server code."""

from __future__ import annotations

from typing import Any

import httpx

from app import remote


class UnknownUnit(LookupError):
    """No unit has the code the key was to report for."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def create_key(
    *,
    url: str,
    key: str,
    name: str,
    role: str,
    unit_code: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """The new key as the service answers it (``key`` holds the secret, shown once)."""
    async with remote.connect(url, key, transport=transport) as client:
        unit_id = None
        if unit_code is not None:
            page = remote.expect(
                await remote.send(client, "GET", "/api/v1/units", params={"code": unit_code}),
                200,
            )
            if not page["items"]:
                raise UnknownUnit(unit_code)
            unit_id = page["items"][0]["id"]
        # Sent once: the service does not replay key creations (that would store the secret),
        # so a retry after a lost answer could make a second key.
        response = await remote.send(
            client,
            "POST",
            "/api/v1/api-keys",
            json={"name": name, "role": role, "unit_id": unit_id},
            retries=0,
        )
        created: dict[str, Any] = remote.expect(response, 201)
        return created
