"""``Idempotency-Key`` on POST: the first response is stored with the write and replayed after.

The key is claimed by an INSERT in the request's own transaction, so a concurrent duplicate
waits on the row lock until the first request commits (then replays) or rolls back (then runs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.errors import AppError, InvalidInput
from app.idempotency.models import IdempotencyRecord

REPLAYED_HEADERS = ("content-type", "location", "etag")


class IdempotentReplay(Exception):
    """Raised from the claim to short-circuit the handler with the stored response."""

    def __init__(self, response: Response) -> None:
        super().__init__("replay")
        self.response = response


class KeyInUse(AppError):
    status, code, title = 409, "idempotency_key_in_use", "Request still in progress"


@dataclass(frozen=True)
class Claim:
    api_key_id: int
    key: str


def request_fingerprint(
    method: str, path: str, query: str, body: bytes, content_type: str = ""
) -> str:
    """Same operation and same content; JSON bodies compare by value, not by formatting. The
    media type and charset count: the same bytes as CSV and as NDJSON, or as UTF-8 and as
    GB18030, are different uploads."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    media, _, params = content_type.lower().partition(";")
    charset = next(
        (
            p.split("=", 1)[1].strip(' "')
            for p in params.split(";")
            if p.strip().startswith("charset=")
        ),
        "",
    )
    media = media.strip()
    if media == "application/json":
        charset = ""  # JSON is UTF-8 whatever the header says (RFC 8259)
    kind = f"{media};{charset}".encode()
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), kind, canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def claim(
    session: AsyncSession, *, api_key_id: int, key: str, fingerprint: str, retention: timedelta
) -> Claim:
    """Reserve the key for this request, or raise the replay / mismatch outcome."""
    cutoff = datetime.now(UTC) - retention
    # A record past retention is forgotten: the key may be used afresh.
    await session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.api_key_id == api_key_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at < cutoff,
        )
    )
    inserted = (
        await session.execute(
            insert(IdempotencyRecord)
            .values(api_key_id=api_key_id, key=key, request_hash=fingerprint)
            .on_conflict_do_nothing()
            .returning(IdempotencyRecord.key)
        )
    ).scalar_one_or_none()
    if inserted is not None:
        return Claim(api_key_id=api_key_id, key=key)

    record = (
        await session.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key
            )
        )
    ).scalar_one()
    if record.request_hash != fingerprint:
        raise InvalidInput(
            "this Idempotency-Key was already used for a different request; use a new key",
            errors=[{"parameter": "Idempotency-Key", "detail": "reused with a different body"}],
        )
    if record.status_code is None or record.body is None:
        raise KeyInUse("a request with this Idempotency-Key is still being processed")
    headers = dict(record.headers or {})
    headers["Idempotent-Replayed"] = "true"
    raise IdempotentReplay(
        Response(content=record.body, status_code=record.status_code, headers=headers)
    )


async def store(session: AsyncSession, *, claim: Claim, response: Response) -> None:
    """Keep the response that the claimed request produced, in the same transaction."""
    headers = {
        name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers
    }
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.api_key_id == claim.api_key_id, IdempotencyRecord.key == claim.key)
        .values(status_code=response.status_code, body=bytes(response.body), headers=headers)
    )


async def purge_expired(session: AsyncSession, *, retention: timedelta) -> int:
    result = await session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.created_at < datetime.now(UTC) - retention
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
