"""The request boundary: commit before the response leaves, and record idempotent responses."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from app.idempotency import service as idempotency_service
from app.idempotency.deps import claim_idempotency_key


class TransactionalRoute(APIRoute):
    """Every API route: one transaction per request, committed before the response is sent.

    A commit after a ``yield`` dependency would run after the client already saw a 201; here a
    failed commit becomes the response instead. POST routes also honour ``Idempotency-Key``.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        if "POST" in methods:
            kwargs["dependencies"] = [
                *(kwargs.get("dependencies") or []),
                Depends(claim_idempotency_key),
            ]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run_in_transaction(request: Request) -> Response:
            response = await handler(request)
            session = getattr(request.state, "session", None)
            if session is not None and response.status_code < 400:
                claim = getattr(request.state, "idempotency_claim", None)
                if claim is not None:
                    await idempotency_service.store(session, claim=claim, response=response)
                await session.commit()
            return response

        return run_in_transaction
