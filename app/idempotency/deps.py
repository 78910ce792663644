"""The ``Idempotency-Key`` header, claimed before a POST handler runs."""

from datetime import timedelta
from typing import Annotated

from fastapi import Header, Request

from app.auth.deps import CurrentPrincipal
from app.deps import Session
from app.idempotency import service
from app.settings import current_settings


async def claim_idempotency_key(
    request: Request,
    session: Session,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="Makes a retried POST safe: the first response is replayed for 24 h "
            "or more; the same key with a different body is refused (422).",
            examples=["6f1d7c3e-2b7a-4c55-9a43-0d8f5f1a2b3c"],
        ),
    ] = None,
) -> None:
    if idempotency_key is None:
        return
    fingerprint = service.request_fingerprint(
        request.method,
        request.url.path,
        request.url.query,
        await request.body(),
        request.headers.get("content-type", ""),
    )
    request.state.idempotency_claim = await service.claim(
        session,
        api_key_id=principal.key_id,
        key=idempotency_key,
        fingerprint=fingerprint,
        retention=timedelta(hours=current_settings().idempotency_retention_hours),
    )
