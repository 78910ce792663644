"""A task's health: red, amber or green, with reasons."""

from datetime import date
from decimal import Decimal

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import (
    create_indicator,
    create_milestone,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)


async def health(client: AsyncClient, task_id: int, as_of: str) -> dict:  # type: ignore[type-arg]
    response = await client.get(f"/api/v1/tasks/{task_id}/health", params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


class TestHealth:
    async def test_nothing_wrong_is_green(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        assert (await health(client, task.id, "2024-03-01"))["status"] == "green"

    async def test_overdue_milestone_is_red(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        milestone = await create_milestone(
            db, task=task, title="新馆开放", due_on=date(2024, 6, 30)
        )
        result = await health(client, task.id, "2024-07-01")
        assert result["status"] == "red"
        assert any("新馆开放" in r for r in result["reasons"])
        await create_milestone(db, task=task, due_on=date(2024, 9, 30))  # not yet due
        done = await client.patch(
            f"/api/v1/milestones/{milestone.id}",
            json={"status": "completed", "completed_on": "2024-06-29"},
        )
        assert done.status_code == 200
        assert (await health(client, task.id, "2024-07-01"))["status"] == "green"

    async def test_past_due_and_not_completed_is_red(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db, due_on=date(2024, 5, 31))
        assert (await health(client, task.id, "2024-06-01"))["status"] == "red"
        await client.patch(f"/api/v1/tasks/{task.id}", json={"status": "completed"})
        assert (await health(client, task.id, "2024-06-01"))["status"] == "green"

    async def test_indicator_behind_is_red_and_at_risk_is_amber(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        unit = await create_unit(db)
        indicator = await create_indicator(
            db, task=task, target_value=Decimal(200), frequency="quarterly"
        )
        await create_report(db, indicator=indicator, unit=unit, period="2024Q1", value=Decimal(42))
        # 31 March: expected 200 × 91/366 ≈ 49.7; 42 ≥ 80 % of it → at risk
        march = await health(client, task.id, "2024-03-31")
        assert march["status"] == "amber"
        assert "at_risk" in march["reasons"][0]
        # 30 June with nothing more: expected ≈ 99.5 → behind
        assert (await health(client, task.id, "2024-06-30"))["status"] == "red"

    async def test_about_indicator_is_paced_towards_its_floor(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        unit = await create_unit(db)
        indicator = await create_indicator(
            db, task=task, code="A1", comparator="about", target_value=Decimal(200)
        )
        await create_report(db, indicator=indicator, unit=unit, period="2024Q1", value=Decimal(46))
        # 31 March: 约200 is reached at 190, so 190 × 91/366 ≈ 47.2 is expected; 46 is not far off
        march = await health(client, task.id, "2024-03-31")
        assert march["status"] == "amber"
        assert march["reasons"] == [
            f"indicator A1 ({indicator.name}) is at_risk: 46 of 47.2404 expected by now "
            "(target about 200)"
        ]
        await create_report(db, indicator=indicator, unit=unit, period="2024Q2", value=Decimal(144))
        # 190 in all: 约200 is reached, long before the year ends
        assert (await health(client, task.id, "2024-06-30"))["status"] == "green"

    async def test_overdue_report_is_amber(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        lead = await create_unit(db)
        await create_responsibility(db, task=task, unit=lead, role="lead")
        zero = await create_indicator(db, task=task, comparator="lte", target_value=Decimal(0))
        result = await health(client, task.id, "2024-04-20")  # Q1 due 10 April
        assert result["status"] == "amber"
        # Said in the office's words: who, which target, which period.
        assert (
            f"{lead.name} has not reported {zero.code} ({zero.name}) for 2024Q1"
            in (result["reasons"][0])
        )

    async def test_full_progress_without_completion_is_amber(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db, status="in_progress")
        updated = await client.patch(f"/api/v1/tasks/{task.id}", json={"progress": 100})
        assert updated.status_code == 200, updated.text
        result = await health(client, task.id, "2024-07-01")
        assert result["status"] == "amber"
        assert result["reasons"] == ["progress is 100% but the task is not marked completed"]
        done = await client.patch(f"/api/v1/tasks/{task.id}", json={"status": "completed"})
        assert done.status_code == 200, done.text
        assert await health(client, task.id, "2024-07-01") == {
            "task_id": task.id,
            "as_of": "2024-07-01",
            "status": "green",
            "reasons": [],
        }

    async def test_unknown_task_is_404(self, client: AsyncClient) -> None:
        assert (await client.get("/api/v1/tasks/999999/health")).status_code == 404
