"""The change feed as other systems follow it: real commits on the served app, so the order is
the order transactions really committed in."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from app.auth import service as auth_service
from app.events.schemas import EventPage
from app.settings import async_database_url
from tests.factories import (
    create_indicator,
    create_milestone,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)
from tests.helpers import served_app


@pytest.fixture
async def writer(own_database: str) -> AsyncIterator[AsyncEngine]:
    """An engine of its own, for transactions the test begins and commits itself."""
    engine = create_async_engine(async_database_url(own_database))
    yield engine
    await engine.dispose()


@pytest.fixture
async def feed_app(own_database: str) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    async with served_app(own_database, f"lsk_feed_{uuid.uuid4().hex}", bulk_worker=False) as pair:
        yield pair


@pytest.fixture
async def api(feed_app: tuple[FastAPI, AsyncClient]) -> AsyncClient:
    return feed_app[1]


async def read(client: AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/events", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["next_cursor"]  # always there, so a client can always resume
    return body


async def read_all(
    client: AsyncClient,
    after: str | None = None,
    *,
    until: Callable[[list[dict[str, Any]]], bool] = lambda events: True,
    **params: Any,
) -> tuple[list[dict[str, Any]], str]:
    """Every event after ``after``, page by page, and the cursor to resume from; long-polling
    while ``until`` is not yet true of them. (The database server is shared: a transaction of
    another database holds every feed back until it ends.)"""
    events: list[dict[str, Any]] = []
    for _ in range(30):
        body = await read(client, **({"after": after} if after else {}), **params)
        events += body["items"]
        after = body["next_cursor"]
        if not body["items"]:
            if until(events):
                return events, after
            params["wait"] = 2
    raise AssertionError(f"the feed never showed what was expected: {events}")


def units_named(events: list[dict[str, Any]]) -> list[str]:
    return [e["changes"]["code"][1] for e in events if e["type"] == "unit.created"]


class TestCommitOrder:
    async def test_a_transaction_that_began_first_and_commits_last_is_never_skipped(
        self, api: AsyncClient, writer: AsyncEngine
    ) -> None:
        _, start = await read_all(api)
        early = AsyncSession(writer, expire_on_commit=False)
        late = AsyncSession(writer, expire_on_commit=False)
        try:
            await create_unit(early, code="EARLY")  # takes the smaller event id, commits last
            await create_unit(late, code="LATE")
            await late.commit()

            # LATE is committed, but EARLY could still commit before it in the feed's order:
            # neither is served yet, and the cursor handed out does not pass either.
            middle = await read(api, after=start)
            assert middle["items"] == []
            assert len(await api_events_in_audit_trail(api)) >= 1  # LATE's is already visible

            await early.commit()
        finally:
            await early.close()
            await late.close()

        events, end = await read_all(
            api, after=middle["next_cursor"], until=lambda events: len(units_named(events)) == 2
        )
        assert units_named(events) == ["EARLY", "LATE"]  # the transaction that began first first
        assert [e["id"] for e in events] == sorted(e["id"] for e in events)
        assert (await read_all(api, after=end))[0] == []  # and never again

    async def test_pages_split_one_transaction_without_losing_or_repeating(
        self, api: AsyncClient, writer: AsyncEngine
    ) -> None:
        async with AsyncSession(writer) as session:
            for n in range(7):
                await create_unit(session, code=f"BATCH{n}")
            await session.commit()
        events, _ = await read_all(
            api, limit=3, type="unit.created", until=lambda events: len(events) == 7
        )
        assert units_named(events) == [f"BATCH{n}" for n in range(7)]


async def api_events_in_audit_trail(client: AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/audit-events", params={"entity_type": "unit"})
    return list(response.json()["items"])


class TestEvents:
    async def test_an_event_names_type_actor_entity_and_changes(self, api: AsyncClient) -> None:
        _, start = await read_all(api)
        created = await api.post(
            "/api/v1/units", json={"code": "ORG-9", "name": "省科技馆", "kind": "institution"}
        )
        assert created.status_code == 201, created.text
        unit = created.json()
        await api.patch(f"/api/v1/units/{unit['id']}", json={"name": "河南省科技馆"})
        await api.delete(f"/api/v1/units/{unit['id']}")
        events, _ = await read_all(api, after=start, until=lambda events: len(events) == 3)
        assert [e["type"] for e in events] == ["unit.created", "unit.updated", "unit.deleted"]
        first, update, _ = events
        assert first["entity"] == {"type": "unit", "id": unit["id"]}
        assert first["actor"]["name"] == "bootstrap admin" or first["actor"]["key_id"]
        assert first["changes"]["name"] == [None, "省科技馆"]
        assert update["changes"] == {"name": ["省科技馆", "河南省科技馆"]}
        assert first["request_id"]

    async def test_a_page_is_the_documented_shape(self, api: AsyncClient) -> None:
        """The feed serializes its pages without validating them again: hold it to the model
        generated clients are built from."""
        await api.post("/api/v1/units", json={"code": "DOC-1", "name": "甲", "kind": "department"})
        events, _ = await read_all(api, until=lambda events: bool(events))
        response = await api.get("/api/v1/events", params={"limit": 500})
        page = EventPage.model_validate_json(response.content)
        assert len(page.items) == len(events)
        assert response.json()["items"][0]["occurred_at"].endswith("Z")

    async def test_type_filters_take_several_values_and_prefixes(
        self, api: AsyncClient, writer: AsyncEngine
    ) -> None:
        async with AsyncSession(writer) as session:
            task = await create_task(session)
            await create_milestone(session, task=task)
            await session.commit()
        events, _ = await read_all(
            api, type=["task.*", "milestone.created"], until=lambda events: len(events) == 2
        )
        assert {e["type"] for e in events} == {"task.created", "milestone.created"}
        events, _ = await read_all(api, type="plan.created,milestone.*")
        assert {e["type"] for e in events} == {"plan.created", "milestone.created"}

    async def test_a_bulk_upload_is_every_record_then_one_completed_event(
        self, api: AsyncClient
    ) -> None:
        _, start = await read_all(api)
        body = b"\n".join(
            orjson.dumps({"code": f"B{n:03d}", "name": f"单位{n}"}) for n in range(30)
        )
        response = await api.post(
            "/api/v1/bulk/units", content=body, headers={"Content-Type": "application/x-ndjson"}
        )
        assert response.status_code == 200, response.text
        events, _ = await read_all(api, after=start, until=lambda events: len(events) == 31)
        assert units_named(events) == [f"B{n:03d}" for n in range(30)]
        last = events[-1]
        assert last["type"] == "bulk_upload.completed"
        assert last["changes"]["resource"] == [None, "units"]
        assert last["changes"]["created"] == [None, 30]
        only, _ = await read_all(api, after=start, type="bulk_upload.completed")
        assert [e["id"] for e in only] == [last["id"]]


class TestScope:
    @pytest.fixture
    async def world(self, writer: AsyncEngine) -> dict[str, Any]:
        async with AsyncSession(writer, expire_on_commit=False) as session:
            ours, theirs = await create_unit(session), await create_unit(session)
            plan, other_plan = await create_plan(session), await create_plan(session)
            our_task = await create_task(session, plan=plan)
            their_task = await create_task(session, plan=other_plan)
            await create_responsibility(session, task=our_task, unit=ours)
            await create_responsibility(session, task=their_task, unit=theirs)
            await create_responsibility(session, task=our_task, unit=theirs, role="participant")
            our_indicator = await create_indicator(session, task=our_task)
            their_indicator = await create_indicator(session, task=their_task)
            our_report = await create_report(session, indicator=our_indicator, unit=ours)
            # another unit's report on a task both share: not ours to see
            shared = await create_report(session, indicator=our_indicator, unit=theirs)
            their_report = await create_report(session, indicator=their_indicator, unit=theirs)
            _, reporter = await auth_service.create_api_key(
                session, name="our reporter", role="reporter", unit_id=ours.id
            )
            await session.commit()
            await session.delete(our_report)  # a delete stays in scope: it names its unit
            await session.commit()
        return {
            "ours": ours.id,
            "plan": plan.id,
            "our_task": our_task.id,
            "our_report": our_report.id,
            "shared": shared.id,
            "their_report": their_report.id,
            "reporter": reporter,
        }

    @pytest.fixture
    async def settled(self, api: AsyncClient, world: dict[str, Any]) -> dict[str, Any]:
        """The world, once its last write is in the feed (so all before it is too)."""
        await read_all(
            api,
            until=lambda events: bool(events) and events[-1]["type"] == "indicator_report.deleted",
        )
        return world

    async def test_a_reporter_sees_its_units_reports_and_tasks_only(
        self, api: AsyncClient, settled: dict[str, Any]
    ) -> None:
        api.headers["Authorization"] = f"Bearer {settled['reporter']}"
        events, _ = await read_all(api)
        seen = {(e["entity"]["type"], e["entity"]["id"], e["type"]) for e in events}
        reports = {(i, t) for kind, i, t in seen if kind == "indicator_report"}
        assert reports == {
            (settled["our_report"], "indicator_report.created"),
            (settled["our_report"], "indicator_report.deleted"),
        }
        assert ("task", settled["our_task"], "task.created") in seen
        assert {kind for kind, _, _ in seen} == {
            "unit",
            "task",
            "indicator",
            "responsibility",
            "indicator_report",
        }
        assert {i for kind, i, _ in seen if kind == "unit"} == {settled["ours"]}
        assert all(e["entity"]["type"] != "api_key" for e in events)

    async def test_the_office_filters_by_plan_and_by_unit(
        self, api: AsyncClient, settled: dict[str, Any]
    ) -> None:
        everything, _ = await read_all(api)
        by_plan, _ = await read_all(api, plan_id=settled["plan"])
        by_unit, _ = await read_all(api, unit_id=settled["ours"])
        assert len(by_plan) < len(everything)
        report_ids = {
            e["entity"]["id"] for e in by_plan if e["entity"]["type"] == "indicator_report"
        }
        assert report_ids == {settled["our_report"], settled["shared"]}
        assert ("plan", settled["plan"]) in {
            (e["entity"]["type"], e["entity"]["id"]) for e in by_plan
        }
        unit_reports = {
            e["entity"]["id"] for e in by_unit if e["entity"]["type"] == "indicator_report"
        }
        assert unit_reports == {settled["our_report"]}

    @pytest.mark.parametrize("limit", [1, 2, 3])
    async def test_small_pages_of_a_filtered_feed_are_full_and_miss_nothing(
        self, api: AsyncClient, settled: dict[str, Any], limit: int
    ) -> None:
        """A filter passing few events still fills each page (the service reads on past the
        events it skips) and, page by page, gives exactly the events one big read gives."""
        for params in ({"plan_id": settled["plan"]}, {"unit_id": settled["ours"]}):
            whole, _ = await read_all(api, **params)
            pages: list[list[dict[str, Any]]] = []
            after = None
            while not pages or pages[-1]:
                body = await read(api, limit=limit, **params, **({"after": after} if after else {}))
                pages.append(body["items"])
                after = body["next_cursor"]
            assert [e["id"] for page in pages for e in page] == [e["id"] for e in whole]
            assert all(len(page) == limit for page in pages[:-2]), params
            assert 0 < len(pages[-2]) <= limit


class TestLongPoll:
    async def test_a_waiting_read_answers_when_a_write_commits_holding_no_connection(
        self, feed_app: tuple[FastAPI, AsyncClient]
    ) -> None:
        app, api = feed_app
        _, start = await read_all(api)
        waiting = asyncio.create_task(read(api, after=start, wait=20))
        for _ in range(200):  # until the read is parked on the listener
            if app.state.event_listener.waiters:
                break
            await asyncio.sleep(0.01)
        assert app.state.event_listener.waiters == 1
        assert app.state.engine.pool.checkedout() == 0
        assert not waiting.done()
        created = await api.post(
            "/api/v1/units", json={"code": "WAKE", "name": "唤醒", "kind": "department"}
        )
        assert created.status_code == 201
        body = await asyncio.wait_for(waiting, 15)  # woken by the commit, not the 20 s timeout
        events, _ = await read_all(  # (unless another database's transaction held it back)
            api, after=body["next_cursor"], until=lambda more: bool(body["items"] + more)
        )
        assert units_named(body["items"] + events) == ["WAKE"]

    async def test_nothing_committing_answers_empty_at_the_timeout(self, api: AsyncClient) -> None:
        _, start = await read_all(api)
        body = await read(api, after=start, wait=1)
        assert body["items"] == []
        assert (await read(api, after=body["next_cursor"]))["items"] == []

    async def test_a_write_held_back_by_an_older_transaction_wakes_the_reader_when_final(
        self, api: AsyncClient, writer: AsyncEngine
    ) -> None:
        _, start = await read_all(api)
        early = AsyncSession(writer)
        try:
            await create_unit(early, code="SLOW")
            waiting = asyncio.create_task(read(api, after=start, wait=20))
            async with AsyncSession(writer) as late:
                await create_unit(late, code="FAST")
                await late.commit()
            await asyncio.sleep(0.3)
            assert not waiting.done()  # FAST is committed but not final
            await early.commit()
        finally:
            await early.close()
        body = await asyncio.wait_for(waiting, 15)
        more, _ = await read_all(
            api, after=body["next_cursor"], until=lambda more: len(body["items"] + more) == 2
        )
        events = body["items"] + more
        assert units_named(events) == ["SLOW", "FAST"]
