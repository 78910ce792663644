"""The request boundary: commit before the response leaves, and record idempotent responses."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.responses import Response

from app.auth.deps import ALL_ROLES, require_principal
from app.db import READ_ONLY_METHODS, RequestDatabase
from app.errors import is_outage
from app.idempotency import service as idempotency_service
from app.idempotency.deps import claim_idempotency_key


def without_idempotency(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a POST whose response must never be stored (it carries a secret)."""
    endpoint.without_idempotency = True  # type: ignore[attr-defined]
    return endpoint


class TransactionalRoute(APIRoute):
    """Every API route: one transaction per request, committed before the response is sent.

    A commit after a ``yield`` dependency would run after the client already saw a 201; here a
    failed commit becomes the response instead. POST routes also honour ``Idempotency-Key``.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        if "POST" in methods and not getattr(endpoint, "without_idempotency", False):
            kwargs["dependencies"] = [
                *(kwargs.get("dependencies") or []),
                Depends(claim_idempotency_key),
            ]
        super().__init__(path, endpoint, **kwargs)
        self._document_roles()

    def _document_roles(self) -> None:
        """Name, in the OpenAPI document, the roles that may call this operation."""
        roles = _roles_in(self.dependant)
        if roles is None:
            return
        self.openapi_extra = {**(self.openapi_extra or {}), "x-roles": list(roles)}
        note = f"**Roles:** {', '.join(roles)}."
        self.description = f"{self.description}\n\n{note}" if self.description else note

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run_in_transaction(request: Request) -> Response:
            db = request.state.db = RequestDatabase(request.app.state.engine)
            try:
                response = await handler(request)
                # Reads run in autocommit: there is nothing to commit.
                if (
                    db.session is not None
                    and response.status_code < 400
                    and request.method not in READ_ONLY_METHODS
                ):
                    claim = getattr(request.state, "idempotency_claim", None)
                    if claim is not None:
                        await idempotency_service.store(db.session, claim=claim, response=response)
                    await db.session.commit()
                return response
            except BaseException as exc:
                if is_outage(exc):
                    db.broken = True  # the connection may be half-way through an operation
                raise
            finally:
                await db.close()

        return run_in_transaction


def _roles_in(dependant: Dependant) -> tuple[str, ...] | None:
    """The roles of the narrowest role check among the dependencies; every role if the route
    only authenticates; ``None`` if it needs no key."""
    found: tuple[str, ...] | None = None
    authenticated = False
    stack = [dependant]
    while stack:
        current = stack.pop()
        roles = getattr(current.call, "roles", None)
        if roles is not None and (found is None or len(roles) < len(found)):
            found = tuple(roles)
        authenticated |= current.call is require_principal
        stack.extend(current.dependencies)
    if found is None and authenticated:
        return ALL_ROLES
    return found
