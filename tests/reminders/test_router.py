"""The /api/v1/reminders contract: 催办 sent by the office, answered by the unit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.audit.models import AuditEvent
from app.reminders.models import Reminder
from tests.factories import (
    create_indicator,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)
from tests.helpers import MAX_ID, ClientAs, Collection, assert_problem

api = Collection("/api/v1/reminders", Reminder)
URL = api.url
LATER = (date.today() + timedelta(days=30)).isoformat()


async def world(db: AsyncSession) -> dict[str, Any]:
    """A 2024 plan (long past): unit `a` leads a task with a quarterly indicator, all four
    quarters overdue but Q1, which it reported."""
    plan = await create_plan(db, year=2024, report_grace_days=10)
    task = await create_task(db, plan=plan)
    a, b = await create_unit(db, name="科普部"), await create_unit(db, name="学会部")
    await create_responsibility(db, task=task, unit=a, role="lead")
    visitors = await create_indicator(
        db, task=task, frequency="quarterly", target_value=Decimal(200), name="接待公众"
    )
    await create_report(db, indicator=visitors, unit=a, period="2024Q1")
    return {"plan": plan, "task": task, "a": a, "b": b, "visitors": visitors}


def body(w: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "unit_id": w["a"].id,
        "obligations": [{"indicator_id": w["visitors"].id, "period": "2024Q2"}],
        "message": "请尽快报送二季度数据。",
        "reply_by": LATER,
    } | overrides


async def send(client: AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(URL, json=payload)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


class TestCreateReminder:
    async def test_returns_201_with_location_etag_and_the_obligation_as_it_stood(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        response = await client.post(URL, json=body(w))
        assert response.status_code == 201, response.text
        created = response.json()
        assert response.headers["location"] == f"{URL}/{created['id']}"
        assert response.headers["etag"] == '"1"'
        assert created["obligations"] == [
            {
                "indicator_id": w["visitors"].id,
                "period": "2024Q2",
                "due_on": "2024-07-10",
                "status": "overdue",
            }
        ]
        assert created["plan_id"] == w["plan"].id
        assert created["status"] == "awaiting_reply"
        assert created["replied_at"] is None
        got = await client.get(response.headers["location"])
        assert got.json() == created
        assert got.headers["etag"] == response.headers["etag"]

    async def test_without_obligations_reminds_of_everything_overdue_in_chinese(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        created = await send(client, {"unit_id": w["a"].id, "reply_by": LATER})
        assert [o["period"] for o in created["obligations"]] == ["2024Q2", "2024Q3", "2024Q4"]
        assert created["message"] == (
            f"请于{LATER}前报送以下逾期未报数据（共3项），并说明逾期原因。"
        )

    async def test_is_audited_as_reminder_sent(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await world(db)
        created = await send(client, body(w))
        events = (
            await db.execute(
                select(AuditEvent.action, AuditEvent.actor_name).where(
                    AuditEvent.entity_type == "reminder", AuditEvent.entity_id == created["id"]
                )
            )
        ).all()
        assert [e.action for e in events] == ["send"]

    async def test_an_obligation_the_unit_does_not_owe_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        payload = body(w, unit_id=w["b"].id)
        problem = assert_problem(await client.post(URL, json=payload), 422)
        assert problem["errors"][0]["pointer"] == "#/obligations/0"
        assert await api.count(db) == 0

    async def test_a_reported_obligation_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        payload = body(w, obligations=[{"indicator_id": w["visitors"].id, "period": "2024Q1"}])
        problem = assert_problem(await client.post(URL, json=payload), 422)
        assert "submitted" in problem["detail"]

    async def test_nothing_overdue_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await world(db)
        problem = assert_problem(
            await client.post(URL, json={"unit_id": w["b"].id, "reply_by": LATER}), 422
        )
        assert problem["errors"][0]["pointer"] == "#/obligations"

    async def test_a_past_reply_by_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await world(db)
        problem = assert_problem(await client.post(URL, json=body(w, reply_by="2024-01-01")), 422)
        assert problem["errors"][0]["pointer"] == "#/reply_by"

    async def test_an_unknown_unit_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await world(db)
        problem = assert_problem(await client.post(URL, json=body(w, unit_id=MAX_ID)), 422)
        assert problem["errors"][0]["pointer"] == "#/unit_id"

    async def test_another_plans_obligations_are_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        other = await create_plan(db)
        problem = assert_problem(await client.post(URL, json=body(w, plan_id=other.id)), 422)
        assert problem["errors"][0]["pointer"] == "#/obligations"

    async def test_a_reporter_may_not_send_one(self, client_as: ClientAs, db: AsyncSession) -> None:
        w = await world(db)
        async with client_as("reporter", unit=w["a"]) as reporter:
            assert_problem(await reporter.post(URL, json=body(w)), 403)
        assert await api.count(db) == 0

    async def test_the_same_idempotency_key_sends_once(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        headers = {"Idempotency-Key": "remind-1"}
        first = await client.post(URL, json=body(w), headers=headers)
        again = await client.post(URL, json=body(w), headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert await api.count(db) == 1


class TestListReminders:
    async def test_filters_by_unit_plan_and_status(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        first = await send(client, body(w))
        second = await send(client, body(w, message="再次催办"))
        await client.post(f"{URL}/{second['id']}/reply", json={"message": "已报送"})
        page = (await client.get(URL, params={"unit_id": w["a"].id})).json()
        assert [r["id"] for r in page["items"]] == [first["id"], second["id"]]
        waiting = (await client.get(URL, params={"status": "awaiting_reply"})).json()
        assert [r["id"] for r in waiting["items"]] == [first["id"]]
        other = await create_plan(db)
        assert (await client.get(URL, params={"plan_id": other.id})).json()["items"] == []

    async def test_a_reporter_sees_its_own_units_only(
        self, client: AsyncClient, client_as: ClientAs, db: AsyncSession
    ) -> None:
        w = await world(db)
        ours = await send(client, body(w))
        async with client_as("reporter", unit=w["b"]) as other:
            assert (await other.get(URL)).json()["items"] == []
            assert_problem(await other.get(f"{URL}/{ours['id']}"), 403)
        async with client_as("reporter", unit=w["a"]) as reporter:
            assert [r["id"] for r in (await reporter.get(URL)).json()["items"]] == [ours["id"]]

    async def test_unknown_is_404(self, client: AsyncClient) -> None:
        assert_problem(await client.get(f"{URL}/{MAX_ID}"), 404)


class TestReply:
    async def test_the_units_reporter_replies_and_it_is_audited(
        self, client: AsyncClient, client_as: ClientAs, db: AsyncSession
    ) -> None:
        w = await world(db)
        sent = await send(client, body(w))
        before = clock.now()
        async with client_as("reporter", unit=w["a"], name="科普部填报") as reporter:
            response = await reporter.post(
                f"{URL}/{sent['id']}/reply", json={"message": "已补报，统计口径调整所致。"}
            )
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == '"2"'
        replied = response.json()
        assert replied["status"] == "replied"
        assert replied["reply_message"] == "已补报，统计口径调整所致。"
        assert replied["replied_by"] == "科普部填报"
        assert datetime.fromisoformat(replied["replied_at"]) >= before
        actions = (
            await db.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "reminder", AuditEvent.entity_id == sent["id"])
                .order_by(AuditEvent.id)
            )
        ).all()
        assert actions == ["send", "reply"]

    async def test_another_units_reporter_and_a_reader_may_not(
        self, client: AsyncClient, client_as: ClientAs, db: AsyncSession
    ) -> None:
        w = await world(db)
        sent = await send(client, body(w))
        reply = f"{URL}/{sent['id']}/reply"
        async with client_as("reporter", unit=w["b"]) as other:
            assert_problem(await other.post(reply, json={"message": "不是我们的"}), 403)
        async with client_as("reader") as reader:
            assert_problem(await reader.post(reply, json={"message": "看看"}), 403)
        assert (await client.get(f"{URL}/{sent['id']}")).json()["status"] == "awaiting_reply"

    async def test_the_office_may_reply_once(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await world(db)
        sent = await send(client, body(w))
        reply = f"{URL}/{sent['id']}/reply"
        assert (await client.post(reply, json={"message": "电话已答复"})).status_code == 200
        assert_problem(await client.post(reply, json={"message": "again"}), 409)

    async def test_an_empty_reply_is_422_and_unknown_is_404(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        sent = await send(client, body(w))
        assert_problem(await client.post(f"{URL}/{sent['id']}/reply", json={"message": " "}), 422)
        assert_problem(await client.post(f"{URL}/{MAX_ID}/reply", json={"message": "x"}), 404)


class TestScorecard:
    async def test_counts_reminders_received_answered_and_answered_late(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        unit = w["a"].id

        def at(day: int, month: int = 7) -> datetime:
            return datetime(2024, month, day, 2, tzinfo=UTC)  # 10:00 in Beijing

        common = {"unit_id": unit, "obligations": [], "message": "催办", "sent_by": "督查室"}
        rows = [
            # answered in time
            Reminder(**common, reply_by=date(2024, 7, 25), created_at=at(20),
                     status="replied", replied_at=at(24)),
            # answered after reply_by
            Reminder(**common, reply_by=date(2024, 7, 25), created_at=at(20),
                     status="replied", replied_at=at(28)),
            # not answered, reply_by passed by 1 August
            Reminder(**common, reply_by=date(2024, 7, 30), created_at=at(21)),
            # not answered, reply_by still ahead on 1 August
            Reminder(**common, reply_by=date(2024, 8, 5), created_at=at(31)),
            # sent after 1 August: not counted then
            Reminder(**common, reply_by=date(2024, 8, 20), created_at=at(10, 8)),
        ]  # fmt: skip
        db.add_all(rows)
        await db.flush()
        response = await client.get(
            f"/api/v1/units/{unit}/scorecard", params={"as_of": "2024-08-01"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["reminders"] == {"received": 4, "answered": 2, "answered_late": 2}
        other = await client.get(f"/api/v1/units/{w['b'].id}/scorecard")
        assert other.json()["reminders"] == {"received": 0, "answered": 0, "answered_late": 0}
