"""A task's health: red, amber or green, with reasons."""

from datetime import date
from decimal import Decimal

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.tasks.models import TaskRelation
from tests.factories import (
    create_indicator,
    create_milestone,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)


async def health(client: AsyncClient, task_id: int, as_of: str, lang: str = "") -> dict:  # type: ignore[type-arg]
    headers = {"Accept-Language": lang} if lang else {}
    response = await client.get(
        f"/api/v1/tasks/{task_id}/health", params={"as_of": as_of}, headers=headers
    )
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
        # Said as an office writes it: Chinese, figures to one decimal place.
        assert march["reasons"] == [
            f"指标{indicator.code}（{indicator.name}）略有滞后：完成42，按进度应达49.7（目标≥200场）"
        ]
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
            f"指标A1（{indicator.name}）略有滞后：完成46，按进度应达47.2（目标约200场）"
        ]
        english = await health(client, task.id, "2024-03-31", lang="en-GB,en;q=0.9,zh;q=0.5")
        assert english["reasons"] == [
            f"indicator A1 ({indicator.name}) is at risk: 46 of 47.2 expected by now "
            "(target about 200场)"
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
        assert result["reasons"] == [
            f"{lead.name}未报送{zero.code}（{zero.name}）2024Q1数据（应于2024-04-10前报送）"
        ]
        english = await health(client, task.id, "2024-04-20", lang="en")
        assert english["reasons"] == [
            f"{lead.name} has not reported {zero.code} ({zero.name}) for 2024Q1 (due 2024-04-10)"
        ]

    async def test_full_progress_without_completion_is_amber(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db, status="in_progress")
        updated = await client.patch(f"/api/v1/tasks/{task.id}", json={"progress": 100})
        assert updated.status_code == 200, updated.text
        result = await health(client, task.id, "2024-07-01")
        assert result["status"] == "amber"
        assert result["reasons"] == ["进度已达100%，但尚未办结"]
        done = await client.patch(f"/api/v1/tasks/{task.id}", json={"status": "completed"})
        assert done.status_code == 200, done.text
        after = await health(client, task.id, "2024-07-01")
        assert (after["status"], after["reasons"]) == ("green", [])

    async def test_unknown_task_is_404(self, client: AsyncClient) -> None:
        assert (await client.get("/api/v1/tasks/999999/health")).status_code == 404


class TestRollUp:
    async def test_a_key_task_is_as_late_as_the_work_points_it_restates(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        key = await create_task(db, plan=plan, kind="key_task", number="8", title="科技馆建设")
        point = await create_task(db, plan=plan, number="13", title="建设开放新科技馆")
        other = await create_task(db, plan=plan, number="14", title="科普活动")
        db.add_all(
            [
                TaskRelation(task_id=key.id, related_task_id=point.id),
                TaskRelation(task_id=point.id, related_task_id=key.id),
            ]
        )
        lead = await create_unit(db, name="科普部")
        await create_responsibility(db, task=point, unit=lead, role="lead")
        zero = await create_indicator(db, task=point, comparator="lte", target_value=Decimal(0))
        await create_milestone(db, task=other, title="启动", due_on=date(2024, 3, 1))
        await db.flush()
        rolled = await health(client, key.id, "2024-04-20")
        assert rolled["status"] == "amber"  # its own record is clean; work point 13's is not
        assert rolled["reasons"] == [
            f"工作要点13（建设开放新科技馆）：科普部未报送{zero.code}（{zero.name}）2024Q1数据"
            "（应于2024-04-10前报送）"
        ]
        # The work point does not take the key task's warnings back, nor an unlinked one's.
        assert (await health(client, point.id, "2024-04-20"))["reasons"] == [
            rolled["reasons"][0].split("：", 1)[1]
        ]
        board = (
            await client.get(f"/api/v1/plans/{plan.id}/dashboard", params={"as_of": "2024-04-20"})
        ).json()
        [line] = board["key_tasks"]
        assert (line["health"], line["reasons"]) == (rolled["status"], rolled["reasons"])

    async def test_a_section_counts_its_items_by_health(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        section = await create_task(db, plan=plan, kind="section", number="一", title="党建")
        late = await create_task(db, plan=plan, parent_id=section.id, number="1", title="迟")
        await create_task(db, plan=plan, parent_id=section.id, number="2", title="好")
        await create_milestone(db, task=late, title="启动", due_on=date(2024, 3, 1))
        result = await health(client, section.id, "2024-04-20")
        assert result["status"] == "red"
        assert result["reasons"] == ["下设2项：滞后1项、预警0项、正常1项", "滞后：1（迟）"]
        board = (
            await client.get(f"/api/v1/plans/{plan.id}/dashboard", params={"as_of": "2024-04-20"})
        ).json()
        assert board["sections"] == [
            {
                "task_id": section.id,
                "number": "一",
                "title": "党建",
                "health": "red",
                "items": {"green": 1, "amber": 0, "red": 1},
            }
        ]
