"""All configuration, read once from the environment (``LUOSHI_*`` and ``DATABASE_URL``)."""

import ipaddress
from contextvars import ContextVar, Token
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LUOSHI_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    # Plain DATABASE_URL is what every platform sets; LUOSHI_DATABASE_URL works too.
    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "LUOSHI_DATABASE_URL")
    )
    data_dir: Path = Path(".luoshi")
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    # How long a request waits to open a connection, or for a free one in the pool, before
    # it is answered 503 (the database is unreachable or overloaded).
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=300)

    bootstrap_admin_key: SecretStr | None = None
    idempotency_retention_hours: int = Field(default=48, ge=24)

    # Per API key, shared by all replicas (counted in Postgres); 0 turns the limit off.
    rate_limit_per_minute: int = Field(default=1200, ge=0)
    max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    # Bulk uploads: larger bodies are refused with 413 (max_body_bytes above applies too).
    bulk_max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    bulk_max_rows: int = Field(default=200_000, ge=1)
    # Run queued bulk jobs in this process (any replica may; turn off for API-only replicas).
    bulk_worker: bool = True
    # On shutdown, how long a running bulk job may finish; past it the job is cancelled and
    # runs again from the start on the next worker that starts (nothing half-written).
    bulk_shutdown_grace_seconds: float = Field(default=30.0, ge=0, le=3600)
    # A job whose worker stops beating this long (killed, crashed) is taken by another worker.
    bulk_heartbeat_timeout_seconds: float = Field(default=30.0, ge=2, le=3600)

    # Change-feed long polls (`GET /events?wait=`) one process holds at once; they share one
    # LISTEN connection and hold no pooled one while waiting. Past it: 503 with Retry-After.
    events_max_waiters: int = Field(default=1000, ge=0, le=100_000)

    # The offices' calendar: what "today" is, and on which day a report was submitted.
    timezone: str = "Asia/Shanghai"

    log_level: str = "INFO"
    log_json: bool = True
    migrate_on_start: bool = True

    # Webhooks. Receivers on non-public addresses (private, loopback, link-local, the cloud
    # metadata service) are refused unless their network is listed here: comma-separated CIDRs,
    # e.g. "10.0.0.0/8,192.168.1.0/24". Government receivers often live on an intranet.
    webhook_allowed_networks: str = ""
    # Send deliveries from this process (any replica may; each delivery goes out from one).
    webhook_worker: bool = True
    # A 2xx answer within this many seconds is a success; connecting may take at most
    # the connect timeout of it.
    webhook_timeout_seconds: float = Field(default=15.0, gt=0, le=60)
    webhook_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # How much of a receiver's answer is read (then dropped: it is never stored or shown).
    webhook_max_response_bytes: int = Field(default=4096, ge=0, le=1024 * 1024)
    # After a secret rotation the old secret keeps signing this long.
    webhook_secret_overlap_hours: float = Field(default=24.0, ge=0, le=24 * 30)
    # An endpoint whose deliveries keep failing this long is disabled.
    webhook_disable_after_hours: float = Field(default=72.0, gt=0, le=24 * 90)
    # The sender wakes on the change feed's NOTIFY; this is how often it looks regardless, for
    # retries falling due and events that waited on an older transaction.
    webhook_poll_seconds: float = Field(default=5.0, gt=0, le=60)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from exc
        return value

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as exc:
                raise ValueError(f"{part!r} is not a network (CIDR, e.g. 10.0.0.0/8)") from exc
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (from the environment); tests clear the cache to change
    them. Code that runs for an app reads ``current_settings()`` instead."""
    return Settings()


# The settings of the app in hand: `create_app(settings=…)` puts them here for each request
# and for its background tasks, so that two apps in one process (tests, benches) each keep
# their own — the clock's time zone and idempotency retention included.
_current: ContextVar[Settings | None] = ContextVar("settings", default=None)


def current_settings() -> Settings:
    """The running app's settings, or the process-wide ones outside any app."""
    return _current.get() or get_settings()


def use_settings(settings: Settings) -> Token[Settings | None]:
    return _current.set(settings)


class SettingsMiddleware:
    """Runs each request with its app's settings as ``current_settings()``."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = _current.set(self.settings)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


def async_database_url(url: str) -> str:
    """Make any ``postgres://`` / ``postgresql://`` URL use the asyncpg driver."""
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg://",
        "postgresql+psycopg2://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url
