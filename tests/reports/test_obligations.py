"""Who owes which report by when."""

from datetime import date
from decimal import Decimal

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import (
    create_indicator,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)


async def setup(db: AsyncSession) -> dict:  # type: ignore[type-arg]
    plan = await create_plan(db, year=2024, report_grace_days=10)
    task = await create_task(db, plan=plan)
    lead, helper = await create_unit(db), await create_unit(db)
    await create_responsibility(db, task=task, unit=lead, role="lead")
    await create_responsibility(db, task=task, unit=helper, role="participant")
    quarterly = await create_indicator(db, task=task, frequency="quarterly")
    return {"plan": plan, "task": task, "lead": lead, "helper": helper, "indicator": quarterly}


class TestObligations:
    async def test_each_lead_owes_one_report_per_period(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await setup(db)
        items = (
            await client.get(
                f"/api/v1/plans/{w['plan'].id}/obligations", params={"as_of": "2024-07-05"}
            )
        ).json()["items"]
        assert [(o["period"], o["due_on"]) for o in items] == [
            ("2024Q1", "2024-04-10"),
            ("2024Q2", "2024-07-10"),
            ("2024Q3", "2024-10-10"),
            ("2024Q4", "2025-01-10"),
        ]
        assert {o["unit_id"] for o in items} == {w["lead"].id}  # participants owe nothing
        assert {(o["unit_name"], o["indicator_code"]) for o in items} == {
            (w["lead"].name, w["indicator"].code)
        }
        assert [o["status"] for o in items] == ["overdue", "due", "upcoming", "upcoming"]

    async def test_reports_settle_obligations_and_drafts_do_not(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await setup(db)
        q1 = await create_report(
            db, indicator=w["indicator"], unit=w["lead"], period="2024Q1", status="approved"
        )
        await create_report(
            db,
            indicator=w["indicator"],
            unit=w["lead"],
            period="2024Q2",
            status="draft",
            value=Decimal(1),
        )
        items = (
            await client.get(
                f"/api/v1/units/{w['lead'].id}/obligations", params={"as_of": "2024-07-20"}
            )
        ).json()["items"]
        by_period = {o["period"]: o for o in items}
        assert by_period["2024Q1"]["status"] == "approved"
        assert by_period["2024Q1"]["report_id"] == q1.id
        assert by_period["2024Q2"]["status"] == "overdue"
        assert by_period["2024Q2"]["report_id"] is None

    async def test_filter_by_status(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await setup(db)
        items = (
            await client.get(
                f"/api/v1/plans/{w['plan'].id}/obligations",
                params={"as_of": date(2024, 12, 31).isoformat(), "status": "overdue"},
            )
        ).json()["items"]
        assert [o["period"] for o in items] == ["2024Q1", "2024Q2", "2024Q3"]

    async def test_unknown_plan_or_unit_is_404(self, client: AsyncClient) -> None:
        assert (await client.get("/api/v1/plans/999999/obligations")).status_code == 404
        assert (await client.get("/api/v1/units/999999/obligations")).status_code == 404

    async def test_unknown_status_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await setup(db)
        response = await client.get(
            f"/api/v1/plans/{w['plan'].id}/obligations", params={"status": "late"}
        )
        assert response.status_code == 422


class TestObligationPages:
    async def test_pages_cover_everything_once_in_order(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await setup(db)
        await create_responsibility(db, task=w["task"], unit=await create_unit(db), role="lead")
        await create_indicator(db, task=w["task"], frequency="monthly")
        # two leads × (4 quarters + 12 months) = 32 obligations
        url = f"/api/v1/plans/{w['plan'].id}/obligations"
        seen: list[tuple[str, int, int]] = []
        cursor = None
        pages = 0
        while True:
            params = {"as_of": "2024-07-20", "limit": 10, **({"cursor": cursor} if cursor else {})}
            body = (await client.get(url, params=params)).json()
            seen += [(o["due_on"], o["indicator_id"], o["unit_id"]) for o in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        everything = (await client.get(url, params={"as_of": "2024-07-20", "limit": 500})).json()
        assert pages == 4
        assert len(seen) == len(set(seen)) == 32
        assert seen == [(o["due_on"], o["indicator_id"], o["unit_id"]) for o in everything["items"]]

    async def test_a_foreign_cursor_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await setup(db)
        for cursor in ("azE6MTI", "bm9wZQ", "azI6eCx5LHosdw"):  # an id cursor, junk, bad values
            response = await client.get(
                f"/api/v1/units/{w['lead'].id}/obligations", params={"cursor": cursor}
            )
            assert response.status_code == 422, (cursor, response.text)
