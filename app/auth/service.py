"""API keys: issue, verify, bootstrap. Only a SHA-256 of each key is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app import fastpath
from app.auth.models import ApiKey
from app.crud import Record, fetch_page, get_or_404, read_select
from app.errors import Conflict, InvalidInput
from app.pagination import PageParams

KEY_PREFIX = "lsk_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name, role and bound unit, and its use this minute."""

    key_id: int
    name: str
    role: str
    unit_id: int | None
    hits: int = 0
    retry_after: int = 60


# One round trip authenticates, notes last use (at most once a minute, so reads stay reads),
# and counts the request in the key's per-minute window. The window table is UNLOGGED: its
# writes need no WAL flush, and every replica shares it, so adding replicas adds no quota.
_KEY = """
    SELECT id, name, role, unit_id FROM api_keys
    WHERE key_hash = :hash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
"""
_SEEN = """
    UPDATE api_keys SET last_used_at = now()
    WHERE id = (SELECT id FROM key)
      AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
"""
_HIT = """
    INSERT INTO rate_limit_windows (api_key_id, window_start, hits)
    SELECT id, date_trunc('minute', now()), 1 FROM key
    ON CONFLICT (api_key_id, window_start)
    DO UPDATE SET hits = rate_limit_windows.hits + 1
    RETURNING hits
"""
_LEFT = "ceil(extract(epoch FROM date_trunc('minute', now()) + interval '1 minute' - now()))"
# The pieces are constants of this module; no input is ever formatted into them.
AUTHENTICATE_COUNTING = text(
    f"WITH key AS ({_KEY}), seen AS ({_SEEN}), hit AS ({_HIT}) "
    f"SELECT key.id, key.name, key.role, key.unit_id, (SELECT hits FROM hit) AS hits, "
    f"{_LEFT} AS retry_after FROM key"
)
AUTHENTICATE = text(
    f"WITH key AS ({_KEY}), seen AS ({_SEEN}) "
    f"SELECT key.id, key.name, key.role, key.unit_id, 0 AS hits, 60 AS retry_after FROM key"
)
# The same statements in asyncpg's placeholder style, for the request path (app/fastpath.py).
AUTHENTICATE_COUNTING_SQL = fastpath.asyncpg_text(AUTHENTICATE_COUNTING)
AUTHENTICATE_SQL = fastpath.asyncpg_text(AUTHENTICATE)


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    # Keys carry 256 bits of entropy, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


async def authenticate(
    db: AsyncConnection | AsyncSession, *, token: str, count_hit: bool = False
) -> Principal | None:
    """The principal behind a bearer token, or ``None`` when it is unknown, revoked or expired."""
    conn = db if isinstance(db, AsyncConnection) else await db.connection()
    sql = AUTHENTICATE_COUNTING_SQL if count_hit else AUTHENTICATE_SQL
    row = await (await fastpath.driver_connection(conn)).fetchrow(sql, hash_key(token))
    if row is None:
        return None
    return Principal(
        key_id=row["id"],
        name=row["name"],
        role=row["role"],
        unit_id=row["unit_id"],
        hits=row["hits"] or 0,
        retry_after=max(1, int(row["retry_after"])),
    )


async def create_api_key(
    session: AsyncSession,
    *,
    name: str,
    role: str = "admin",
    unit_id: int | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its secret; the secret is not recoverable afterwards."""
    secret = generate_key()
    key = ApiKey(
        name=name,
        role=role,
        unit_id=unit_id,
        expires_at=expires_at,
        prefix=secret[:12],
        key_hash=hash_key(secret),
    )
    session.add(key)
    await session.flush()
    return key, secret


async def ensure_bootstrap_key(session: AsyncSession, *, secret: str) -> None:
    """Create the admin key given by ``LUOSHI_BOOTSTRAP_ADMIN_KEY`` unless it already exists."""
    await session.execute(
        insert(ApiKey)
        .values(
            name="bootstrap admin",
            role="admin",
            prefix=secret[:12],
            key_hash=hash_key(secret),
        )
        .on_conflict_do_nothing(index_elements=[ApiKey.key_hash])
    )


async def issue_api_key(
    session: AsyncSession,
    *,
    name: str,
    role: str,
    unit_id: int | None,
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    """Validate and create a key: reporters are bound to an existing unit, nobody else is."""
    from app.units.models import Unit

    if role == "reporter" and unit_id is None:
        raise InvalidInput(
            "unit_id: a reporter key must be bound to the unit it reports for",
            errors=[{"pointer": "#/unit_id", "detail": "required for reporters"}],
        )
    if role != "reporter" and unit_id is not None:
        raise InvalidInput(
            "unit_id: only reporter keys are bound to a unit",
            errors=[{"pointer": "#/unit_id", "detail": "only for reporters"}],
        )
    if unit_id is not None and await session.get(Unit, unit_id) is None:
        raise InvalidInput(
            f"unit_id: unit {unit_id} does not exist",
            errors=[{"pointer": "#/unit_id", "detail": "does not exist"}],
        )
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise InvalidInput(
            "expires_at: must be in the future",
            errors=[{"pointer": "#/expires_at", "detail": "in the past"}],
        )
    return await create_api_key(
        session, name=name, role=role, unit_id=unit_id, expires_at=expires_at
    )


async def list_api_keys(
    session: AsyncSession, *, page: PageParams
) -> tuple[list[Record], str | None]:
    return await fetch_page(session, read_select(ApiKey), ApiKey, page)


async def revoke_api_key(session: AsyncSession, *, key_id: int) -> None:
    """Refused from the next request on, on every replica (the check reads the database)."""
    key = await get_or_404(session, ApiKey, key_id, for_update=True)
    if key.revoked_at is None and key.role == "admin":
        # Locked, so two admins revoking each other's keys at once cannot both succeed.
        others = await session.scalars(
            select(ApiKey.id)
            .where(
                ApiKey.role == "admin",
                ApiKey.id != key_id,
                ApiKey.revoked_at.is_(None),
                or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > func.now()),
            )
            .with_for_update()
        )
        if not others.all():
            raise Conflict(
                f"key {key_id} is the last active admin key; without it nobody could manage "
                "keys. Create another admin key first."
            )
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await session.flush()


async def key_still_valid(session: AsyncSession, *, key_id: int) -> str | None:
    """None if the key may still act, else why not ("revoked", "expired", "deleted").

    The row is share-locked, so a revocation made meanwhile waits for the caller's transaction:
    work started under a valid key finishes under it, and nothing starts after it is revoked.
    """
    row = (
        await session.execute(
            select(ApiKey.revoked_at, ApiKey.expires_at, func.now())
            .where(ApiKey.id == key_id)
            .with_for_update(read=True)
        )
    ).one_or_none()
    if row is None:
        return "deleted"
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= row.now:
        return "expired"
    return None
