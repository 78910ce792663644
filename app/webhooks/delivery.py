"""Delivery: the change feed fanned out to each endpoint's queue, and the queue sent.

Fan-out keeps a change-feed cursor per endpoint and moves it in the same transaction that
queues the deliveries, so an event is queued exactly once and a crash loses none. Sending takes
only the oldest pending delivery of each endpoint (in order per endpoint), under a lease: a
sender that dies leaves the lease to expire and another sender (any replica) sends it again —
at least once. Failures back off exponentially with jitter over about a day; a 410 disables
the endpoint, and so do failures that go on for ``webhook_disable_after_hours``.

Signatures follow Standard Webhooks 1.0, signed by its reference library (``standardwebhooks``)
rather than by our own HMAC code.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from asyncio import FIRST_COMPLETED
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks import Webhook

from app.audit import service as audit_service
from app.auth.scope import responsible_task_ids
from app.errors import is_outage
from app.events import service as events_service
from app.events.listener import POLL_SECONDS, EventListener
from app.events.naming import BULK_COMPLETED, parse_types
from app.events.service import PENDING_POLL_SECONDS
from app.settings import Settings
from app.webhooks import outbound
from app.webhooks import service as webhook_service
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, … failed attempt: 8 attempts over about 27 hours.
RETRY_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)
LEASE_SECONDS = 120
FANOUT_PAGE = 500
SEND_BATCH = 20


def retry_delay(attempts: int) -> float | None:
    """Seconds until the next attempt after ``attempts`` failed ones; None: give up."""
    if attempts > len(RETRY_DELAYS):
        return None
    jitter = random.uniform(0.8, 1.2)  # noqa: S311 - spreads receivers' load, not a secret
    return RETRY_DELAYS[attempts - 1] * jitter


def sign(secrets: list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    """The ``webhook-signature`` header: one ``v1,…`` per secret that signs now."""
    return " ".join(Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets)


def limits_of(settings: Settings) -> outbound.Limits:
    return outbound.Limits(
        allowed=outbound.parse_networks(settings.webhook_allowed_networks),
        timeout=settings.webhook_timeout_seconds,
        connect_timeout=settings.webhook_connect_timeout_seconds,
        max_response_bytes=settings.webhook_max_response_bytes,
    )


# ---------------------------------------------------------------------------------------------
# Fan-out


async def _feed_of(session: AsyncSession, endpoint: WebhookEndpoint) -> events_service.Feed:
    scopes: tuple[events_service.UnitScope, ...] = ()
    if endpoint.unit_id is not None:
        tasks = await responsible_task_ids(session, endpoint.unit_id)
        scopes = (events_service.UnitScope(endpoint.unit_id, tuple(sorted(tasks))),)
    types = endpoint.event_types
    return events_service.Feed(
        after=events_service.decode_after(endpoint.feed_cursor),
        limit=FANOUT_PAGE,
        types=parse_types(types, audit_service.entity_types()) if types else None,
        plan_id=endpoint.plan_id,
        scopes=scopes,
    )


def _json(value: Any) -> Any:
    """What JSONB stores: datetimes as ISO text."""
    return orjson.loads(orjson.dumps(value))


# The bulk_upload.completed event of each of these transactions that was a bulk upload (a
# partial index holds only those events, so a 100,000-row upload is not scanned per page).
# The literal (not a bind) lets the planner use that partial index.
_BULK_MARKERS = text("""
SELECT id, xid, occurred_at, actor_key_id, actor_name, action, entity_type, entity_id, changes,
    request_id
FROM audit_events
WHERE entity_type = 'bulk_upload' AND xid = ANY(CAST(CAST(:xids AS text[]) AS xid8[]))
""")


async def _bulk_markers(session: AsyncSession, xids: set[int]) -> dict[int, Any]:
    if not xids:
        return {}
    rows = await session.execute(_BULK_MARKERS, {"xids": [str(x) for x in sorted(xids)]})
    return {int(row.xid): row._mapping for row in rows}


def messages_of(
    page: events_service.FeedPage,
    markers: dict[int, Any],
    *,
    after: tuple[int, int],
    explicit: bool,
) -> tuple[list[tuple[str, dict[str, Any]]], tuple[int, int]]:
    """What a page of the feed becomes for one endpoint, and where its next read starts.

    Events of a bulk upload's transaction (one that has a ``bulk_upload.completed``) are not a
    call each. An endpoint that names event types gets the ones it named in ``events.batch``
    messages, a page at a time. Any other endpoint gets the upload's ``bulk_upload.completed``
    once, the first time an event of the upload reaches it, and skips the rest of the upload:
    its cursor jumps to that event, the last of its transaction.
    """
    messages: list[tuple[str, dict[str, Any]]] = []
    batch: list[dict[str, Any]] | None = None
    batch_xid = None
    announced = {after[0]} if after[1] > 0 else set()  # a page began inside it: said already
    skip_to = after
    for event, xid in zip(page.events, page.xids, strict=True):
        marker = markers.get(xid)
        if marker is None:
            messages.append((event["type"], event))
        elif explicit and event["id"] == marker["id"]:  # it asked for the upload's own event
            messages.append((BULK_COMPLETED, event))
        elif not explicit:
            if xid not in announced:
                announced.add(xid)
                messages.append((BULK_COMPLETED, events_service.event_of(marker)))
            skip_to = max(skip_to, (xid, marker["id"]))
        else:
            if batch is None or batch_xid != xid:
                batch, batch_xid = [], xid
                messages.append((webhook_service.BATCH_EVENT, {"events": batch}))
            batch.append(event)
    for _, data in messages:
        if "events" in data:
            data["count"] = len(data["events"])
    return messages, max(page.after, skip_to)


async def fan_out_endpoint(session: AsyncSession, endpoint_id: int) -> tuple[int, bool]:
    """Queue the endpoint's next page of events. How many were read (0: caught up), and whether
    committed events wait on an older transaction (the next look should come soon)."""
    endpoint = (
        await session.execute(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.enabled)
            .with_for_update(skip_locked=True)  # another replica is at it
        )
    ).scalar_one_or_none()
    if endpoint is None:
        return 0, False
    feed = await _feed_of(session, endpoint)
    page = await events_service.read_page(session, feed=feed)
    markers = await _bulk_markers(session, set(page.xids))
    messages, after = messages_of(
        page, markers, after=feed.after, explicit=bool(endpoint.event_types)
    )
    await webhook_service.enqueue_all(
        session,
        endpoint_id=endpoint.id,
        events=[(event_type, _json(data)) for event_type, data in messages],
    )
    endpoint.feed_cursor = events_service.encode_after(after)
    await session.flush()
    return len(page.events), page.pending


async def fan_out(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Queue what committed since the last fan-out, for every enabled endpoint; whether some
    committed events wait on an older transaction."""
    async with sessions() as session:
        ids = list(await session.scalars(select(WebhookEndpoint.id).where(WebhookEndpoint.enabled)))
    waiting = False
    for endpoint_id in ids:
        while True:
            async with sessions.begin() as session:
                read, pending = await fan_out_endpoint(session, endpoint_id)
            if read < FANOUT_PAGE:
                waiting = waiting or pending
                break
    return waiting


# ---------------------------------------------------------------------------------------------
# Sending

# The oldest pending delivery of each enabled endpoint, if it is due and nobody holds it.
# Under READ COMMITTED a second replica's UPDATE waits for the first and re-checks the lease.
_CLAIM = text("""
UPDATE webhook_deliveries d
SET lease_until = now() + make_interval(secs => :lease), attempts = d.attempts + 1,
    last_attempt_at = now()
FROM (
    SELECT heads.id FROM (
        SELECT DISTINCT ON (h.endpoint_id) h.id, h.next_attempt_at, h.lease_until
        FROM webhook_deliveries h JOIN webhook_endpoints e ON e.id = h.endpoint_id AND e.enabled
        WHERE h.status = 'pending'
        ORDER BY h.endpoint_id, h.id
    ) heads
    WHERE heads.next_attempt_at <= now()
        AND (heads.lease_until IS NULL OR heads.lease_until < now())
    ORDER BY heads.id
    LIMIT :limit
) head
WHERE d.id = head.id AND d.status = 'pending' AND d.next_attempt_at <= now()
    AND (d.lease_until IS NULL OR d.lease_until < now())
RETURNING d.id, d.endpoint_id, d.attempts, d.payload
""")


async def claim(sessions: async_sessionmaker[AsyncSession], limit: int) -> list[Any]:
    """Lease the next due delivery of up to ``limit`` endpoints."""
    async with sessions.begin() as session:
        return list((await session.execute(_CLAIM, {"lease": LEASE_SECONDS, "limit": limit})).all())


async def _send_one(
    sessions: async_sessionmaker[AsyncSession],
    client: Any,
    limits: outbound.Limits,
    settings: Settings,
    row: Any,
) -> None:
    async with sessions() as session:
        endpoint = await session.get(WebhookEndpoint, row.endpoint_id)
    if endpoint is None:
        return  # deleted meanwhile: its deliveries went with it
    now = datetime.now(UTC)
    secrets = [endpoint.secret]
    if (
        endpoint.previous_secret is not None
        and endpoint.previous_secret_expires_at is not None
        and endpoint.previous_secret_expires_at > now
    ):
        secrets.append(endpoint.previous_secret)
    body = orjson.dumps(row.payload).decode()
    msg_id = f"msg_{row.id}"
    headers = {
        "content-type": "application/json",
        "user-agent": "luoshi-webhooks",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": sign(secrets, msg_id, now, body),
    }
    answer = await outbound.post(
        client, endpoint.url, body=body.encode(), headers=headers, limits=limits
    )
    await record(sessions, row=row, answer=answer, settings=settings)


async def record(
    sessions: async_sessionmaker[AsyncSession],
    *,
    row: Any,
    answer: outbound.Answer,
    settings: Settings,
) -> None:
    """Store an attempt's outcome, and what it means for the endpoint."""
    now = datetime.now(UTC)
    seen = {"response_status": answer.status, "latency_ms": answer.latency_ms}
    async with sessions.begin() as session:
        endpoint = await session.get(WebhookEndpoint, row.endpoint_id, with_for_update=True)
        if endpoint is None:
            return
        deliveries = update(WebhookDelivery).where(WebhookDelivery.id == row.id)
        if answer.error is None:
            await session.execute(
                deliveries.values(
                    status="succeeded", finished_at=now, lease_until=None, last_error=None, **seen
                )
            )
            endpoint.failing_since = None
            return
        delay = retry_delay(row.attempts)
        gone = answer.status == 410
        if gone or delay is None:
            values: dict[str, Any] = {"status": "failed", "finished_at": now}
        else:
            values = {"next_attempt_at": now + timedelta(seconds=delay)}
        await session.execute(
            deliveries.values(lease_until=None, last_error=answer.error[:200], **seen, **values)
        )
        endpoint.failing_since = endpoint.failing_since or now
        reason = None
        if gone:
            reason = "接收方答复 410 Gone，已停用 (the receiver answered 410 Gone)"
        elif endpoint.failing_since < now - timedelta(hours=settings.webhook_disable_after_hours):
            reason = (
                f"自 {endpoint.failing_since.isoformat()} 起投递持续失败，已停用 "
                f"(deliveries failing since then; last: {answer.error[:100]})"
            )
        if reason is not None:
            endpoint.enabled = False
            endpoint.disabled_reason = reason[:500]
            endpoint.version += 1
            log.warning("webhook endpoint disabled", extra={"endpoint_id": endpoint.id})


async def send_due(
    sessions: async_sessionmaker[AsyncSession],
    client: Any,
    limits: outbound.Limits,
    settings: Settings,
) -> int:
    """Send every endpoint's next due delivery, at once; how many went out."""
    rows = await claim(sessions, SEND_BATCH)
    await asyncio.gather(*(_send_one(sessions, client, limits, settings, row) for row in rows))
    return len(rows)


class Dispatcher:
    """Fans out and sends in the background of `luoshi serve`; any number of replicas may."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        listener: EventListener | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.listener = listener
        self.limits = limits_of(settings)
        self.stopping = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        failing = False
        soon = PENDING_POLL_SECONDS
        async with outbound.make_client(self.limits) as client:
            while not self.stopping.is_set():
                busy, waiting = False, False
                since = self.listener.generation if self.listener is not None else 0
                try:
                    waiting = await fan_out(self.sessions)
                    busy = await send_due(self.sessions, client, self.limits, self.settings) > 0
                    failing = False
                except Exception as exc:
                    if not failing:  # said once, not every second while the database is away
                        if is_outage(exc):  # an outage is one line, as for requests
                            log.warning(
                                "webhook delivery paused: database unreachable",
                                extra={"error": exc.__class__.__name__},
                            )
                        else:
                            log.exception("webhook delivery failed; retrying")
                    failing = True
                # Events held back by an older transaction become final without a NOTIFY of
                # their own: look again soon, less often the longer it takes.
                soon = min(soon * 2, POLL_SECONDS) if waiting else PENDING_POLL_SECONDS
                if not busy:
                    await self._idle(since, soon if waiting else None)

    async def _idle(self, since: int, seconds: float | None) -> None:
        """Until something commits (the change feed's NOTIFY, when listening), a retry may be
        due (``webhook_poll_seconds`` pass, or ``seconds``), or the dispatcher stops."""
        most = self.settings.webhook_poll_seconds
        seconds = most if seconds is None else min(seconds, most)
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(self.stopping.wait())]
        if self.listener is not None:
            waits.append(asyncio.ensure_future(self.listener.wait(since, seconds)))
        _, pending = await asyncio.wait(waits, timeout=seconds, return_when=FIRST_COMPLETED)
        for waiting in pending:
            waiting.cancel()

    async def stop(self, grace: float = 20) -> None:
        """Let attempts under way finish (their outcome is stored), then stop."""
        self.stopping.set()
        if self.task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.task), grace)
        except TimeoutError:
            self.task.cancel()  # its leases expire and the deliveries go out again
            with contextlib.suppress(BaseException):
                await self.task
