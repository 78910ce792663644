from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.auth.deps import Admin
from app.crud import etag_of
from app.deps import IfMatch, Session
from app.http import API_PREFIX, json_response, page_response, problems
from app.pagination import Page
from app.routing import CrudRoutes, TransactionalRoute, without_idempotency
from app.webhooks import service
from app.webhooks.models import WebhookEndpoint
from app.webhooks.schemas import (
    DeliveryQuery,
    EndpointQuery,
    WebhookDeliveryId,
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointId,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
    WebhookMessage,
)

router = APIRouter(prefix="/webhook-endpoints", tags=["webhooks"], route_class=TransactionalRoute)

_SIGNING = (
    "Each delivery is a POST of a JSON `WebhookMessage`, signed per Standard Webhooks 1.0 "
    "(`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<HMAC-SHA256>`); verify it with "
    "any Standard Webhooks library. A 2xx answer within 15 s is success; anything else is "
    "retried with exponential backoff over about a day, in order per endpoint; a 410 disables "
    "the endpoint. Non-public receiver addresses must be allowed by "
    "`LUOSHI_WEBHOOK_ALLOWED_NETWORKS`."
)


def _with_secret(endpoint: WebhookEndpoint, *, status_code: int = 200) -> Response:
    body = WebhookEndpointWithSecret.model_validate(
        {**WebhookEndpointRead.model_validate(endpoint).model_dump(), "secret": endpoint.secret}
    )
    headers = {"ETag": etag_of(endpoint)}
    if status_code == 201:
        headers["Location"] = f"{API_PREFIX}/webhook-endpoints/{endpoint.id}"
    return json_response(body, status_code=status_code, headers=headers)


@router.post(
    "",
    summary="Register a webhook endpoint",
    status_code=201,
    response_model=WebhookEndpointWithSecret,
    responses=problems(400, 403),
    description="The signing secret is in `secret`, shown once. The endpoint hears of what "
    "commits from now on. `Idempotency-Key` is not honoured here: replaying the response would "
    "mean storing the secret.\n\n" + _SIGNING,
)
@without_idempotency
async def create_webhook_endpoint(
    session: Session, _: Admin, body: WebhookEndpointCreate
) -> Response:
    endpoint = await service.create_endpoint(session, body=body)
    return _with_secret(endpoint, status_code=201)


endpoints = CrudRoutes(router, WebhookEndpointRead, id=("endpoint_id", WebhookEndpointId))
endpoints.list(
    service.list_endpoints,
    EndpointQuery,
    role=Admin,
    summary="List webhook endpoints",
    errors=(403,),
    name="list_webhook_endpoints",
)
endpoints.get(
    service.get_endpoint,
    role=Admin,
    summary="Get a webhook endpoint",
    errors=(403, 404),
    name="get_webhook_endpoint",
)
endpoints.update(
    service.update_endpoint,
    WebhookEndpointUpdate,
    role=Admin,
    summary="Change, disable or enable a webhook endpoint",
    errors=(400, 403, 404, 412),
    name="update_webhook_endpoint",
    description="`enabled: false` holds deliveries back (they wait, in order); `true` resumes "
    "them and clears the reason the service disabled it for.",
)
endpoints.delete(
    service.delete_endpoint,
    role=Admin,
    summary="Delete a webhook endpoint",
    errors=(403, 404, 412),
    name="delete_webhook_endpoint",
    description="Its deliveries, sent or not, are deleted with it.",
)


@router.post(
    "/{endpoint_id}/rotate-secret",
    summary="Rotate a webhook endpoint's signing secret",
    response_model=WebhookEndpointWithSecret,
    responses=problems(403, 404, 412),
    description="The new secret is in `secret`, shown once. Until `previous_secret_expires_at` "
    "(`LUOSHI_WEBHOOK_SECRET_OVERLAP_HOURS`, 24 h by default) deliveries carry two "
    "signatures, by the old secret and by the new, so the receiver can switch at its pace.",
)
@without_idempotency
async def rotate_webhook_secret(
    session: Session, _: Admin, endpoint_id: WebhookEndpointId, if_match: IfMatch = None
) -> Response:
    endpoint = await service.rotate_secret(session, endpoint_id=endpoint_id, if_match=if_match)
    return _with_secret(endpoint)


@router.get(
    "/{endpoint_id}/deliveries",
    summary="List a webhook endpoint's deliveries",
    response_model=Page[WebhookDeliveryRead],
    responses=problems(403, 404),
    description="Oldest first: status, attempts, the last answer's status code and latency, "
    "and why the last attempt failed. The receiver's answer body is never stored.",
)
async def list_webhook_deliveries(
    session: Session,
    _: Admin,
    endpoint_id: WebhookEndpointId,
    query: Annotated[DeliveryQuery, Query()],
) -> Response:
    rows, cursor = await service.list_deliveries(
        session, endpoint_id=endpoint_id, query=query, page=query.page()
    )
    return page_response(WebhookDeliveryRead, rows, cursor)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    summary="Send a delivery again",
    status_code=202,
    response_model=WebhookDeliveryRead,
    responses=problems(403, 404, 409),
    description="A succeeded or failed delivery goes out again (409 while it is still pending).",
)
async def retry_webhook_delivery(
    session: Session,
    _: Admin,
    endpoint_id: WebhookEndpointId,
    delivery_id: WebhookDeliveryId,
) -> Response:
    delivery = await service.retry_delivery(
        session, endpoint_id=endpoint_id, delivery_id=delivery_id
    )
    return json_response(WebhookDeliveryRead.model_validate(delivery), status_code=202)


@router.post(
    "/{endpoint_id}/test",
    summary="Send a test delivery",
    status_code=202,
    response_model=WebhookDeliveryRead,
    responses=problems(403, 404),
    description="Queues a `webhook.test` message behind the endpoint's others; follow it in "
    "the deliveries list.",
)
async def send_test_webhook(session: Session, _: Admin, endpoint_id: WebhookEndpointId) -> Response:
    delivery = await service.send_test(session, endpoint_id=endpoint_id)
    return json_response(WebhookDeliveryRead.model_validate(delivery), status_code=202)


# What endpoints receive, for the OpenAPI document's `webhooks` (3.1): never served here.
messages = APIRouter(tags=["webhooks"])


@messages.post(
    "change-event",
    summary="A change, a test or a batch, pushed to a registered endpoint",
    status_code=204,
    response_class=Response,
    description=_SIGNING,
    responses={
        204: {"description": "Received (any 2xx)."},
        410: {"description": "Gone: the endpoint is disabled and nothing more is sent."},
    },
)
def change_event(body: WebhookMessage) -> None:
    """Documentation only."""
