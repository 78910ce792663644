"""API keys: issue, verify, bootstrap. Only a SHA-256 of each key is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import ApiKey

KEY_PREFIX = "lsk_"
# Writing last_used_at on every request would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name, role and bound unit."""

    key_id: int
    name: str
    role: str
    unit_id: int | None


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    # Keys carry 256 bits of entropy, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


async def authenticate(session: AsyncSession, *, token: str) -> Principal | None:
    """The principal behind a bearer token, or ``None`` when it is unknown, revoked or expired."""
    now = datetime.now(UTC)
    row = (
        await session.execute(
            select(ApiKey.id, ApiKey.name, ApiKey.role, ApiKey.unit_id, ApiKey.last_used_at).where(
                ApiKey.key_hash == hash_key(token),
                ApiKey.revoked_at.is_(None),
                or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
            )
        )
    ).one_or_none()
    if row is None:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        await session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    return Principal(key_id=row.id, name=row.name, role=row.role, unit_id=row.unit_id)


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
