"""Webhook endpoints and their deliveries: the rules; sending is app/webhooks/delivery.py."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit_service
from app.crud import (
    Record,
    add_entity,
    apply_changes,
    delete_entity,
    equal_filters,
    get_for_change,
    get_or_404,
    get_row_or_404,
    list_page,
    require_reference,
)
from app.errors import Conflict, InvalidInput
from app.events.naming import parse_types
from app.pagination import PageParams, encode_key_cursor
from app.plans.models import Plan
from app.settings import current_settings
from app.units.models import Unit
from app.webhooks import outbound
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.schemas import (
    DeliveryQuery,
    EndpointQuery,
    WebhookEndpointCreate,
    WebhookEndpointUpdate,
)

TEST_EVENT = "webhook.test"
BATCH_EVENT = "events.batch"


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str) -> None:
    """422 for a URL no delivery could go to (scheme, credentials, a refused literal address).
    A host name is checked when each delivery is sent: it may resolve differently later."""
    try:
        _, host, _ = outbound.check_url(url)
        try:
            import ipaddress

            address = ipaddress.ip_address(host)
        except ValueError:
            return
        outbound.check_address(
            address, outbound.parse_networks(current_settings().webhook_allowed_networks)
        )
    except outbound.Refused as exc:
        raise InvalidInput(
            f"url: {exc}", errors=[{"pointer": "#/url", "detail": str(exc)}]
        ) from None


def check_event_types(types: list[str]) -> list[str]:
    """The types, each checked (422 names the first unknown one); duplicates dropped."""
    try:
        parse_types(types, audit_service.entity_types())
    except ValueError as exc:
        raise InvalidInput(
            f"event_types: {str(exc)!r} is not an event type (entity.action, e.g. "
            "indicator_report.approved, or entity.* for all of one entity type)",
            errors=[{"pointer": "#/event_types", "detail": "unknown event type"}],
        ) from None
    return sorted(set(types))


async def _feed_start(session: AsyncSession) -> str:
    """The change feed's present: an endpoint hears of what commits from now on."""
    xmin = await session.scalar(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text"))
    return encode_key_cursor((int(str(xmin)), 0))


async def list_endpoints(
    session: AsyncSession, *, query: EndpointQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    return await list_page(
        session, WebhookEndpoint, page, *equal_filters(WebhookEndpoint, query, "enabled")
    )


async def get_endpoint(session: AsyncSession, *, endpoint_id: int) -> Record:
    return await get_row_or_404(session, WebhookEndpoint, endpoint_id)


async def create_endpoint(session: AsyncSession, *, body: WebhookEndpointCreate) -> WebhookEndpoint:
    check_url(body.url)
    types = check_event_types(body.event_types)
    if body.plan_id is not None:
        await require_reference(session, Plan, body.plan_id, field="plan_id")
    if body.unit_id is not None:
        await require_reference(session, Unit, body.unit_id, field="unit_id")
    return await add_entity(
        session,
        WebhookEndpoint,
        {
            **body.model_dump(),
            "event_types": types,
            "secret": new_secret(),
            "feed_cursor": await _feed_start(session),
        },
    )


async def update_endpoint(
    session: AsyncSession, *, endpoint_id: int, data: WebhookEndpointUpdate, if_match: str | None
) -> WebhookEndpoint:
    endpoint = await get_for_change(session, WebhookEndpoint, endpoint_id, if_match=if_match)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for field in ("url", "event_types", "description", "enabled"):
        if field in changes and changes[field] is None:
            raise InvalidInput(
                f"{field} cannot be null", errors=[{"pointer": f"#/{field}", "detail": "null"}]
            )
    if "url" in changes:
        check_url(changes["url"])
    if "event_types" in changes:
        changes["event_types"] = check_event_types(changes["event_types"])
    if changes.get("enabled") is True and not endpoint.enabled:
        changes |= {"disabled_reason": None, "failing_since": None}
    apply_changes(endpoint, changes)
    await session.flush()
    return endpoint


async def delete_endpoint(session: AsyncSession, *, endpoint_id: int, if_match: str | None) -> None:
    endpoint = await get_for_change(session, WebhookEndpoint, endpoint_id, if_match=if_match)
    await delete_entity(session, endpoint)


async def rotate_secret(
    session: AsyncSession, *, endpoint_id: int, if_match: str | None
) -> WebhookEndpoint:
    """A new secret; the current one keeps signing alongside it for the overlap setting."""
    endpoint = await get_for_change(session, WebhookEndpoint, endpoint_id, if_match=if_match)
    overlap = timedelta(hours=current_settings().webhook_secret_overlap_hours)
    apply_changes(
        endpoint,
        {
            "previous_secret": endpoint.secret,
            "previous_secret_expires_at": datetime.now(UTC) + overlap,
            "secret": new_secret(),
        },
    )
    await session.flush()
    return endpoint


async def list_deliveries(
    session: AsyncSession, *, endpoint_id: int, query: DeliveryQuery, page: PageParams
) -> tuple[list[Record], str | None]:
    await get_row_or_404(session, WebhookEndpoint, endpoint_id)
    where = [WebhookDelivery.endpoint_id == endpoint_id]
    if query.status is not None:
        where.append(WebhookDelivery.status == query.status)
    return await list_page(session, WebhookDelivery, page, *where)


async def retry_delivery(
    session: AsyncSession, *, endpoint_id: int, delivery_id: int
) -> WebhookDelivery:
    """Send a finished delivery again, as soon as the ones before it went out."""
    delivery = await get_or_404(session, WebhookDelivery, delivery_id, for_update=True)
    if delivery.endpoint_id != endpoint_id:
        await get_or_404(session, WebhookDelivery, 0)  # the same 404 as for no such delivery
    if delivery.status == "pending":
        raise Conflict(f"delivery {delivery_id} is still pending; it will be sent")
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = datetime.now(UTC)
    delivery.lease_until = None
    delivery.finished_at = None
    await session.flush()
    return delivery


def _delivery(endpoint_id: int, event_type: str, data: dict[str, Any]) -> WebhookDelivery:
    return WebhookDelivery(
        endpoint_id=endpoint_id,
        event_type=event_type,
        payload={"type": event_type, "timestamp": datetime.now(UTC).isoformat(), "data": data},
    )


async def enqueue(
    session: AsyncSession, *, endpoint_id: int, event_type: str, data: dict[str, Any]
) -> WebhookDelivery:
    """A delivery of ``data`` to the endpoint, after every one already queued for it."""
    delivery = _delivery(endpoint_id, event_type, data)
    session.add(delivery)
    await session.flush()
    return delivery


async def enqueue_all(
    session: AsyncSession, *, endpoint_id: int, events: list[tuple[str, dict[str, Any]]]
) -> None:
    """Deliveries of a page of events, in their order, written in one flush (one batched
    INSERT rather than a round trip per event)."""
    session.add_all([_delivery(endpoint_id, event_type, data) for event_type, data in events])
    await session.flush()


async def send_test(session: AsyncSession, *, endpoint_id: int) -> WebhookDelivery:
    """A ``webhook.test`` delivery, queued behind the endpoint's others."""
    endpoint = await get_or_404(session, WebhookEndpoint, endpoint_id)
    return await enqueue(
        session,
        endpoint_id=endpoint.id,
        event_type=TEST_EVENT,
        data={"endpoint_id": endpoint.id, "message": "测试消息 / test message"},
    )


async def disable(session: AsyncSession, *, endpoint_id: int, reason: str) -> None:
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(enabled=False, disabled_reason=reason[:500], version=WebhookEndpoint.version + 1)
    )
