from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.auth.deps import CurrentPrincipal
from app.deps import Session
from app.events import service
from app.events.schemas import EventPage, EventQuery
from app.http import problems
from app.routing import TransactionalRoute

router = APIRouter(prefix="/events", tags=["events"], route_class=TransactionalRoute)


@router.get(
    "",
    summary="Follow every committed change, in order",
    response_model=EventPage,
    responses=problems(403),
    description="Every committed create, update and delete of every resource, imports and "
    "review decisions, oldest first by transaction (each transaction's events together, in the "
    "order it wrote them; transactions by id, which is close to but not exactly commit order). "
    "Keep the "
    "`next_cursor` of each answer (it is always there, even on an empty page) and pass it as "
    "`after`: the feed never skips and never repeats an event, even when a transaction that "
    "began earlier commits later. An event appears once every write transaction older than it "
    "has ended. With `wait`, an empty answer is held until something commits (or `wait` "
    "seconds pass); a server holding too many long polls answers 503 with `Retry-After`. "
    "A reporter key sees its unit's scope (its reports, and the tasks its unit is responsible "
    "for with what belongs to them); other roles see everything.",
)
async def list_events(
    request: Request,
    session: Session,
    principal: CurrentPrincipal,
    query: Annotated[EventQuery, Query()],
) -> Response:
    feed = await service.feed_of(session, query=query, actor=principal)
    page = await service.list_events(
        session,
        feed=feed,
        wait=query.wait,
        listener=getattr(request.app.state, "event_listener", None),
        sessions=getattr(request.app.state, "sessionmaker", None),
        release=request.state.db.release,
    )
    # Built by the service in the documented shape (tests hold it to ``EventPage``), so the
    # page is serialized as it is rather than validated again: events are read in bulk.
    body = {"items": page.events, "next_cursor": page.next_cursor}
    return Response(orjson.dumps(body, option=orjson.OPT_UTC_Z), media_type="application/json")
