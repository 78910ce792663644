"""`luoshi events tail`'s side: follow the change feed of a running service over HTTP.

No database, no server code. Each answer's ``next_cursor`` is kept once its events are handed
on, so following again from it never skips and never repeats one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from app import remote

WAIT_SECONDS = 25  # under the service's 30 s bound, and under most proxies' idle timeouts


@dataclass
class Position:
    """Where the follower is: the cursor after the last page it handed on."""

    cursor: str | None = None


async def follow(
    *,
    url: str,
    key: str,
    types: list[str],
    position: Position,
    keep_going: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Pages of events from ``position`` on; long-polls for more while ``keep_going``, else stops
    at the first empty page. ``position`` moves after each page is consumed."""
    async with remote.connect(url, key, transport=transport) as client:
        while True:
            params = {"limit": "500", "wait": str(WAIT_SECONDS if keep_going else 0)}
            if position.cursor:
                params["after"] = position.cursor
            if types:
                params["type"] = ",".join(types)
            response = await remote.send(client, "GET", "/api/v1/events", params=params)
            page = remote.expect(response, 200)
            if page["items"]:
                yield page["items"]
            position.cursor = page["next_cursor"]
            if not page["items"] and not keep_going:
                return


def fields_of(event: dict[str, Any]) -> str:
    """What changed, for one line: the fields of an update; nothing for a create or delete."""
    if event["type"].endswith((".created", ".deleted")):
        return ""
    return ", ".join(sorted(event.get("changes") or {}))
