"""A plan at a glance, and a unit's record: what the office opens the service for."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.plans.models import Plan
from tests.factories import (
    create_indicator,
    create_milestone,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)
from tests.helpers import assert_problem


async def get(client: AsyncClient, path: str, as_of: str) -> dict[str, Any]:
    response = await client.get(path, params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def world(db: AsyncSession) -> dict[str, Any]:
    """A 2024 plan: one section with two work points, one key task; three units."""
    plan = await create_plan(db, year=2024, report_grace_days=10)
    section = await create_task(db, plan=plan, kind="section", number="一")
    museum = await create_task(db, plan=plan, parent_id=section.id, title="建设开放新科技馆")
    lectures = await create_task(db, plan=plan, parent_id=section.id, status="completed")
    key = await create_task(db, plan=plan, kind="key_task", number="1", status="in_progress")
    a, b, c = [await create_unit(db, name=n) for n in ("科普部", "学会部", "办公室")]
    await create_responsibility(db, task=museum, unit=a, role="lead")
    await create_responsibility(db, task=museum, unit=c, role="participant")
    await create_responsibility(db, task=lectures, unit=b, role="lead")
    await create_milestone(db, task=museum, title="新馆开放", due_on=date(2024, 6, 30))
    visitors = await create_indicator(
        db, task=museum, target_value=Decimal(200), frequency="quarterly", name="接待公众"
    )
    talks = await create_indicator(
        db, task=lectures, target_value=Decimal(20), frequency="annual", name="报告会"
    )
    await create_report(db, indicator=talks, unit=b, period="2024", value=Decimal(25))
    return {
        "plan": plan,
        "museum": museum,
        "lectures": lectures,
        "key": key,
        "a": a,
        "b": b,
        "c": c,
        "visitors": visitors,
    }


class TestDashboard:
    async def test_counts_tasks_indicators_and_what_is_late(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        plan: Plan = w["plan"]
        board = await get(client, f"/api/v1/plans/{plan.id}/dashboard", "2024-07-20")
        tasks = board["tasks"]
        assert tasks["total"] == 3  # the section is a heading, not work
        assert tasks["by_status"]["completed"] == 1
        assert tasks["by_status"]["not_started"] == 1
        assert tasks["by_status"]["in_progress"] == 1
        # museum: milestone overdue (red); lectures: achieved (green); key task: green
        assert tasks["by_health"] == {"green": 2, "amber": 0, "red": 1}
        assert board["indicators"]["total"] == 2
        assert board["indicators"]["by_status"]["achieved"] == 1
        assert board["indicators"]["by_status"]["no_data"] == 1
        assert [m["title"] for m in board["overdue_milestones"]] == ["新馆开放"]
        assert board["overdue_milestones"][0]["task_id"] == w["museum"].id
        # 科普部 leads the museum: Q1 (due 10 April) and Q2 (due 10 July) are overdue.
        assert board["obligations"]["by_status"]["overdue"] == 2
        assert board["obligations"]["by_status"]["upcoming"] == 2
        assert board["obligations"]["overdue_by_unit"] == [
            {"unit_id": w["a"].id, "unit_name": "科普部", "overdue": 2}
        ]
        assert [k["task_id"] for k in board["key_tasks"]] == [w["key"].id]
        assert board["key_tasks"][0]["health"] == "green"

    async def test_reports_move_the_figures(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await world(db)
        for period, value in (("2024Q1", 60), ("2024Q2", 60)):
            await create_report(
                db, indicator=w["visitors"], unit=w["a"], period=period, value=Decimal(value)
            )
        board = await get(client, f"/api/v1/plans/{w['plan'].id}/dashboard", "2024-07-20")
        assert board["obligations"]["by_status"]["overdue"] == 0
        assert board["obligations"]["by_status"]["submitted"] == 3  # with the lectures' annual
        assert board["obligations"]["overdue_by_unit"] == []
        assert board["indicators"]["by_status"]["on_track"] == 1  # 120 of ≈109 expected

    async def test_as_of_before_anything_is_due(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        board = await get(client, f"/api/v1/plans/{w['plan'].id}/dashboard", "2024-01-15")
        assert board["tasks"]["by_health"]["red"] == 0
        assert board["overdue_milestones"] == []
        assert board["obligations"]["by_status"]["overdue"] == 0

    async def test_unknown_plan_is_404(self, client: AsyncClient) -> None:
        assert_problem(await client.get("/api/v1/plans/999999/dashboard"), 404, "not_found")

    async def test_bad_date_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.get(
            f"/api/v1/plans/{plan.id}/dashboard", params={"as_of": "2024-02-30"}
        )
        assert_problem(response, 422, "validation_failed")

    async def test_needs_a_key(self, anon: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        assert (await anon.get(f"/api/v1/plans/{plan.id}/dashboard")).status_code == 401


class TestScorecard:
    async def test_led_and_joined_tasks_with_health(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        card = await get(client, f"/api/v1/units/{w['a'].id}/scorecard", "2024-07-20")
        assert [t["task_id"] for t in card["led"]] == [w["museum"].id]
        assert card["led"][0]["health"] == "red"
        assert card["joined"] == []
        helper = await get(client, f"/api/v1/units/{w['c'].id}/scorecard", "2024-07-20")
        assert [(t["task_id"], t["role"]) for t in helper["joined"]] == [
            (w["museum"].id, "participant")
        ]

    async def test_tasks_through_a_group(self, client: AsyncClient, db: AsyncSession) -> None:
        w = await world(db)
        group = await create_unit(db, name="各全省学会", kind="group")
        member = await create_unit(db, name="省物理学会", kind="society", parent_id=group.id)
        await create_responsibility(db, task=w["key"], unit=group, role="participant")
        card = await get(client, f"/api/v1/units/{member.id}/scorecard", "2024-07-20")
        assert [(t["task_id"], t["via_unit_id"]) for t in card["joined"]] == [
            (w["key"].id, group.id)
        ]

    async def test_on_time_rate_counts_first_submission_against_due_date(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        indicator, unit = w["visitors"], w["a"]
        at = datetime(2024, 4, 9, 10, tzinfo=UTC)  # Q1 due 10 April: on time
        await create_report(
            db, indicator=indicator, unit=unit, period="2024Q1", first_submitted_at=at
        )
        late = datetime(2024, 7, 15, 10, tzinfo=UTC)  # Q2 due 10 July: late
        await create_report(
            db, indicator=indicator, unit=unit, period="2024Q2", first_submitted_at=late
        )
        card = await get(client, f"/api/v1/units/{unit.id}/scorecard", "2024-10-20")
        # Q3 was due 10 October and is missing; Q4 is not yet due and not counted.
        assert card["reporting"] == {
            "owed": 3,
            "on_time": 1,
            "late": 1,
            "missing": 1,
            "on_time_rate": round(1 / 3, 4),
        }
        assert [(r["indicator_id"], r["period"]) for r in card["overdue_reports"]] == [
            (indicator.id, "2024Q3")
        ]
        assert [m["title"] for m in card["overdue_milestones"]] == ["新馆开放"]

    async def test_punctuality_is_judged_on_the_offices_calendar(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        w = await world(db)
        # Q1 is due 10 April. 17:30 UTC on the 10th is already 01:30 on the 11th in Beijing.
        after_midnight = datetime(2024, 4, 10, 17, 30, tzinfo=UTC)
        await create_report(
            db,
            indicator=w["visitors"],
            unit=w["a"],
            period="2024Q1",
            first_submitted_at=after_midnight,
        )
        card = await get(client, f"/api/v1/units/{w['a'].id}/scorecard", "2024-04-20")
        assert (card["reporting"]["on_time"], card["reporting"]["late"]) == (0, 1)

    async def test_nothing_owed_has_no_rate(self, client: AsyncClient, db: AsyncSession) -> None:
        unit = await create_unit(db)
        card = await get(client, f"/api/v1/units/{unit.id}/scorecard", "2024-07-20")
        assert card["reporting"]["owed"] == 0
        assert card["reporting"]["on_time_rate"] is None
        assert card["led"] == card["joined"] == []

    async def test_unknown_unit_is_404(self, client: AsyncClient) -> None:
        assert_problem(await client.get("/api/v1/units/999999/scorecard"), 404, "not_found")
