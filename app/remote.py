"""The command line's side of HTTP: talking to a running Luoshi service with an API key.

`luoshi upload`, `luoshi import` and `luoshi api-key create` all go through here, so they write
where the service writes and never open a database of their own. No database, no server code.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson

from app.i18n import language

DEFAULT_URL = "http://127.0.0.1:8000"
RETRIED = {429, 502, 503, 504}


class Refused(Exception):
    """The service answered with an error: its problem document (RFC 9457)."""

    def __init__(self, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail") or problem.get("title") or "refused")
        self.problem = problem


def connect(
    url: str, key: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """A client for the service at ``url`` that sends ``key`` with every request, and asks for
    text for people (warnings, reasons) in the command's language."""
    return httpx.AsyncClient(
        base_url=url.rstrip("/"),
        headers={
            "Authorization": f"Bearer {key}",
            "Accept-Language": "zh-CN" if language() == "zh" else "en",
        },
        timeout=httpx.Timeout(600, connect=10),
        transport=transport,
    )


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    content: bytes | None = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    retries: int = 5,
) -> httpx.Response:
    """The response, after retrying what failed in transit, 429 and 5xx from a proxy.

    Only retry a request that is safe to send twice: a read, or a POST with an
    ``Idempotency-Key``. ``retries=0`` sends once.
    """
    delay = 0.5
    for attempt in range(retries + 1):
        try:
            response = await client.request(
                method, path, content=content, json=json, headers=headers, params=params
            )
        except httpx.TransportError:
            if attempt == retries:
                raise
        else:
            # The same key still running (a retry raced its first try) is waited for too.
            busy = response.status_code == 409 and b"idempotency_key_in_use" in response.content
            if (response.status_code not in RETRIED and not busy) or attempt == retries:
                return response
            retry_after = response.headers.get("retry-after", "")
            if retry_after.isdigit():
                delay = max(delay, float(retry_after))
        await asyncio.sleep(delay)
        delay = min(delay * 2, 30)
    raise AssertionError("unreachable")


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """The problem document of an error response; a stand-in when the body is not one (a
    proxy's HTML page, a wrong URL)."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, dict) and "title" in body:
        return body
    return {
        "title": f"HTTP {response.status_code} {response.reason_phrase}".strip(),
        "status": response.status_code,
        "detail": f"{response.request.method} {response.request.url} did not answer as a "
        "Luoshi service would; is --url right?",
    }


def expect(response: httpx.Response, *statuses: int) -> Any:
    """The response's JSON body if its status is one of ``statuses``; else ``Refused``."""
    if response.status_code not in statuses:
        raise Refused(problem_of(response))
    return response.json()
