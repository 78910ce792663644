"""Housekeeping forgets what has expired and keeps what has not."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.service import create_api_key
from app.idempotency.models import IdempotencyRecord
from app.ops.maintenance import tidy


async def test_expired_records_go_and_fresh_ones_stay(db: AsyncSession) -> None:
    key, _ = await create_api_key(db, name="k")
    now = datetime.now(UTC)
    db.add_all(
        [
            IdempotencyRecord(
                api_key_id=key.id, key="old", request_hash="h", created_at=now - timedelta(hours=49)
            ),
            IdempotencyRecord(api_key_id=key.id, key="new", request_hash="h", created_at=now),
        ]
    )
    await db.execute(
        text(
            "INSERT INTO rate_limit_windows (api_key_id, window_start, hits) VALUES "
            "(:k, now() - interval '2 hours', 5), (:k, date_trunc('minute', now()), 1)"
        ),
        {"k": key.id},
    )
    await db.flush()
    removed = await tidy(db, idempotency_retention=timedelta(hours=48))
    assert removed == {"idempotency_records": 1, "rate_limit_windows": 1}
    keys = (await db.execute(select(IdempotencyRecord.key))).scalars().all()
    assert keys == ["new"]
    windows = await db.scalar(
        text("SELECT count(*) FROM rate_limit_windows WHERE api_key_id = :k"), {"k": key.id}
    )
    assert windows == 1
    assert await db.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1
