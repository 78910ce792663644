from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from app.auth import service
from app.auth.deps import Admin
from app.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyQuery, ApiKeyRead
from app.crud import etag_of
from app.deps import Session
from app.http import API_PREFIX, json_response, no_content, page_response, problems
from app.pagination import Page
from app.routing import TransactionalRoute, without_idempotency
from app.types import MAX_ID

router = APIRouter(prefix="/api-keys", tags=["api-keys"], route_class=TransactionalRoute)
KeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="API key id.")]


@router.post(
    "",
    summary="Create an API key",
    status_code=201,
    response_model=ApiKeyCreated,
    responses=problems(400, 403),
    description="The secret is in `key`, shown once. `Idempotency-Key` is not honoured here: "
    "replaying the response would mean storing the secret.",
)
@without_idempotency
async def create_api_key(session: Session, _: Admin, body: ApiKeyCreate) -> Response:
    key, secret = await service.issue_api_key(
        session,
        name=body.name,
        role=body.role,
        unit_id=body.unit_id,
        expires_at=body.expires_at,
    )
    created = ApiKeyCreated.model_validate(
        {**ApiKeyRead.model_validate(key).model_dump(), "key": secret}
    )
    return json_response(
        created,
        status_code=201,
        headers={"ETag": etag_of(key), "Location": f"{API_PREFIX}/api-keys/{key.id}"},
    )


@router.get("", summary="List API keys", response_model=Page[ApiKeyRead], responses=problems(403))
async def list_api_keys(
    session: Session, _: Admin, query: Annotated[ApiKeyQuery, Query()]
) -> Response:
    rows, cursor = await service.list_api_keys(session, page=query.page())
    return page_response(ApiKeyRead, rows, cursor)


@router.delete(
    "/{key_id}",
    summary="Revoke an API key",
    status_code=204,
    response_class=Response,
    responses=problems(403, 404, 409),
    description="Refused from the very next request, on every replica. The last active admin "
    "key cannot be revoked (409): create another admin key first.",
)
async def revoke_api_key(session: Session, _: Admin, key_id: KeyId) -> Response:
    await service.revoke_api_key(session, key_id=key_id)
    return no_content()
