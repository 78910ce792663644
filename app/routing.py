"""The request boundary (commit before the response leaves, record idempotent responses) and
the one way to declare a collection's plain list/get/create/change/delete routes."""

import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import Response

from app import clock
from app.auth.deps import ALL_ROLES, CurrentPrincipal, require_principal
from app.db import READ_ONLY_METHODS, RequestDatabase
from app.deps import IfMatch, Session
from app.errors import is_outage
from app.http import (
    created_response,
    item_response,
    json_response,
    no_content,
    page_response,
    problems,
)
from app.idempotency import service as idempotency_service
from app.idempotency.deps import claim_idempotency_key
from app.pagination import Page
from app.reports.known import AsOfParam, KnownAtParam


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
        roles = _roles_in(get_dependant(path=path, call=endpoint))
        if roles is not None and set(roles) != set(ALL_ROLES):
            # A key of another role is refused: say so in the document, on every such route.
            responses = {**(kwargs.get("responses") or {}), 403: problems(403)[403]}
            kwargs["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))
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


Service = Callable[..., Awaitable[Any]]


class CrudRoutes:
    """The plain routes of one collection, declared one line each in the domain's router.

    A route is named after the service function it calls (``service.list_plans`` → operation
    ``plans-list_plans``) unless given a ``name``, and passes it the session, the path id,
    ``query``/``data``, ``if_match`` and — to a function that takes one — the caller as
    ``actor``. It answers in
    the house shapes: a page, an item with ``ETag``, 201 with ``Location`` and ``ETag``, 204.
    ``errors`` replaces the problem responses a route documents, where it answers others.
    Routes that are more than that stay ordinary handlers next to the declarations.
    """

    def __init__(self, router: APIRouter, read: type[BaseModel], *, id: tuple[str, Any]) -> None:
        self.router = router
        self.read = read
        self.id_name, self.id_type = id

    def list(
        self,
        service: Service,
        query: Any,
        *,
        summary: str,
        role: Any = CurrentPrincipal,
        errors: Sequence[int] = (),
        **docs: Any,
    ) -> None:
        call = _caller(service)

        async def run(query: Any, **deps: Any) -> Response:
            rows, cursor = await call(**deps, query=query, page=query.page())
            return page_response(self.read, rows, cursor)

        self._add(
            "GET",
            "",
            service,
            run,
            [_param("query", Annotated[query, Query()])],
            role=role,
            summary=summary,
            response_model=Page[self.read],  # type: ignore[name-defined]
            responses=problems(*errors),
            **docs,
        )

    def create(
        self,
        service: Service,
        body: Any,
        *,
        role: Any,
        summary: str,
        errors: Sequence[int] = (400, 409),
        **docs: Any,
    ) -> None:
        call = _caller(service)
        collection = self.router.prefix.lstrip("/")

        async def run(body: Any, **deps: Any) -> Response:
            created = await call(**deps, data=body)
            return created_response(self.read, created, collection=collection)

        self._add(
            "POST",
            "",
            service,
            run,
            [_param("body", body)],
            role=role,
            summary=summary,
            status_code=201,
            response_model=self.read,
            responses=problems(*errors),
            **docs,
        )

    def get(
        self,
        service: Service,
        *,
        summary: str,
        role: Any = CurrentPrincipal,
        errors: Sequence[int] = (404,),
        **docs: Any,
    ) -> None:
        call = _caller(service)

        async def run(**values: Any) -> Response:
            return item_response(self.read, await call(**values))

        self._add(
            "GET",
            self._item_path,
            service,
            run,
            [self._id],
            role=role,
            summary=summary,
            response_model=self.read,
            responses=problems(*errors),
            **docs,
        )

    def update(
        self,
        service: Service,
        body: Any,
        *,
        role: Any,
        summary: str,
        errors: Sequence[int] = (400, 404, 409, 412),
        **docs: Any,
    ) -> None:
        call = _caller(service)

        async def run(body: Any, **values: Any) -> Response:
            return item_response(self.read, await call(**values, data=body))

        self._add(
            "PATCH",
            self._item_path,
            service,
            run,
            [self._id, _param("body", body), _IF_MATCH],
            role=role,
            summary=summary,
            response_model=self.read,
            responses=problems(*errors),
            **docs,
        )

    def delete(
        self,
        service: Service,
        *,
        role: Any,
        summary: str,
        errors: Sequence[int] = (404, 409, 412),
        **docs: Any,
    ) -> None:
        call = _caller(service)

        async def run(**values: Any) -> Response:
            await call(**values)
            return no_content()

        self._add(
            "DELETE",
            self._item_path,
            service,
            run,
            [self._id, _IF_MATCH],
            role=role,
            summary=summary,
            status_code=204,
            response_class=Response,
            responses=problems(*errors),
            **docs,
        )

    @property
    def _item_path(self) -> str:
        return f"/{{{self.id_name}}}"

    @property
    def _id(self) -> inspect.Parameter:
        return _param(self.id_name, self.id_type)

    def _add(
        self,
        method: str,
        path: str,
        service: Service,
        run: Callable[..., Awaitable[Response]],
        params: Sequence[inspect.Parameter],
        *,
        role: Any,
        name: str | None = None,
        **route: Any,
    ) -> None:
        # FastAPI reads the parameters from the signature: the same ones, in the same order, as
        # a hand-written handler `(session: Session, principal: Role, plan_id: PlanId, ...)`.
        run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [_param("session", Session), _param("principal", role), *params],
            return_annotation=Response,
        )
        run.__name__ = run.__qualname__ = name or service.__name__
        self.router.add_api_route(path, run, methods=[method], **route)


def as_of_route(
    router: APIRouter,
    path: str,
    service: Service,
    *,
    id: tuple[str, Any],
    name: str,
    response_model: Any,
    summary: str,
    description: str,
) -> None:
    """A GET of how one record stands at ``as_of`` (default: today), counting what was known
    at ``known_at``: the same two parameters, and the same default, on every such view."""

    async def run(*, session: Any, principal: Any, as_of: Any, known_at: Any, **ident: Any) -> Any:
        day = as_of or clock.today()
        return json_response(await service(session, **ident, as_of=day, known_at=known_at))

    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            _param("session", Session),
            _param("principal", CurrentPrincipal),
            _param(*id),
            _param("as_of", AsOfParam, default=None),
            _param("known_at", KnownAtParam, default=None),
        ],
        return_annotation=Response,
    )
    run.__name__ = run.__qualname__ = name
    router.add_api_route(
        path,
        run,
        methods=["GET"],
        summary=summary,
        response_model=response_model,
        responses=problems(404),
        description=description,
    )


def _param(name: str, annotation: Any, **default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, **default)


_IF_MATCH = _param("if_match", IfMatch, default=None)


def _caller(service: Service) -> Service:
    """The service, called with the session and the route's values; the caller goes along as
    ``actor`` to a service that decides by who asks (a reporter's own unit)."""
    if "actor" in inspect.signature(service).parameters:
        return lambda session, principal, **values: service(session, actor=principal, **values)
    return lambda session, principal, **values: service(session, **values)
