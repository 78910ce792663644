"""The /api/v1/tasks contract: the plan tree, its links, and its dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.milestones.models import Milestone
from app.responsibilities.models import Responsibility
from app.tasks.models import Task, TaskRelation
from tests.factories import (
    create_indicator,
    create_milestone,
    create_plan,
    create_responsibility,
    create_task,
    create_unit,
)
from tests.helpers import MAX_ID, Collection, assert_problem
from tests.resources import task_body as valid_body

api = Collection("/api/v1/tasks", Task)
URL = api.url


class TestCreateTask:
    async def test_under_a_parent_of_the_same_plan(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        section = await create_task(db, plan=plan, kind="section", number="一")
        response = await client.post(URL, json=valid_body(plan.id, parent_id=section.id))
        assert response.status_code == 201, response.text
        assert response.json()["parent_id"] == section.id

    async def test_unknown_plan_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        body = assert_problem(await client.post(URL, json=valid_body(MAX_ID)), 422)
        assert body["errors"][0]["pointer"] == "#/plan_id"
        assert await api.count(db) == 0

    async def test_parent_in_another_plan_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        foreign = await create_task(db)
        response = await client.post(URL, json=valid_body(plan.id, parent_id=foreign.id))
        body = assert_problem(response, 422)
        assert body["errors"][0]["pointer"] == "#/parent_id"
        assert await api.count(db) == 1

    async def test_missing_parent_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.post(URL, json=valid_body(plan.id, parent_id=MAX_ID))
        body = assert_problem(response, 422)
        assert body["errors"][0]["pointer"] == "#/parent_id"
        assert await api.count(db) == 0

    async def test_duplicate_kind_and_number_is_409(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        await create_task(db, plan=plan, kind="work_point", number="13")
        response = await client.post(URL, json=valid_body(plan.id, kind="work_point", number="13"))
        body = assert_problem(response, 409, "conflict")
        assert "13" in body["detail"]
        assert await api.count(db) == 1

    async def test_same_number_of_another_kind_or_plan_is_fine(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan, other_plan = await create_plan(db), await create_plan(db)
        await create_task(db, plan=plan, kind="work_point", number="13")
        other_kind = await client.post(URL, json=valid_body(plan.id, kind="key_task"))
        assert other_kind.status_code == 201, other_kind.text
        other_plan_response = await client.post(URL, json=valid_body(other_plan.id))
        assert other_plan_response.status_code == 201, other_plan_response.text

    async def test_start_after_due_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.post(
            URL, json=valid_body(plan.id, start_on="2024-06-02", due_on="2024-06-01")
        )
        body = assert_problem(response, 422)
        assert "start_on" in body["detail"]
        assert await api.count(db) == 0

    async def test_completed_without_date_fills_completed_on(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        response = await client.post(
            URL, json=valid_body(plan.id, status="completed", progress=100)
        )
        assert response.status_code == 201, response.text
        assert response.json()["completed_on"] == clock.today().isoformat()

    async def test_completed_with_date_keeps_it(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        response = await client.post(
            URL, json=valid_body(plan.id, status="completed", completed_on="2024-05-05")
        )
        assert response.status_code == 201, response.text
        assert response.json()["completed_on"] == "2024-05-05"


class TestCreateTaskValidation:
    async def test_related_id_zero_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.post(URL, json=valid_body(plan.id, related_task_ids=[0]))
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"][0]["pointer"].startswith("#/related_task_ids")


class TestRelatedTasks:
    async def test_link_is_visible_from_both_sides(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        a = await create_task(db, plan=plan, kind="key_task")
        b = await create_task(db, plan=plan)
        response = await api.patch(client, a.id, {"related_task_ids": [b.id]})
        assert response.status_code == 200, response.text
        assert response.json()["related_task_ids"] == [b.id]
        assert (await api.read(client, b.id)).json()["related_task_ids"] == [a.id]

    async def test_link_given_at_creation_is_symmetric(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        b = await create_task(db, plan=plan)
        response = await client.post(URL, json=valid_body(plan.id, related_task_ids=[b.id]))
        assert response.status_code == 201, response.text
        assert response.json()["related_task_ids"] == [b.id]
        assert (await api.read(client, b.id)).json()["related_task_ids"] == [response.json()["id"]]

    async def test_replacing_the_list_unlinks_both_sides(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        a, b, c = [await create_task(db, plan=plan) for _ in range(3)]
        assert (await api.patch(client, a.id, {"related_task_ids": [b.id]})).status_code == 200
        response = await api.patch(client, a.id, {"related_task_ids": [c.id]})
        assert response.status_code == 200, response.text
        assert response.json()["related_task_ids"] == [c.id]
        assert (await api.read(client, b.id)).json()["related_task_ids"] == []
        assert (await api.read(client, c.id)).json()["related_task_ids"] == [a.id]
        assert (await api.read(client, a.id)).json()["related_task_ids"] == [c.id]

    async def test_empty_list_removes_links(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        a, b = await create_task(db, plan=plan), await create_task(db, plan=plan)
        assert (await api.patch(client, a.id, {"related_task_ids": [b.id]})).status_code == 200
        assert (await api.patch(client, b.id, {"related_task_ids": []})).status_code == 200
        assert (await api.read(client, a.id)).json()["related_task_ids"] == []

    async def test_changing_links_changes_etag(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        a, b = await create_task(db, plan=plan), await create_task(db, plan=plan)
        before = (await api.read(client, a.id)).headers["etag"]
        response = await api.patch(client, a.id, {"related_task_ids": [b.id]}, before)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] != before

    async def test_linking_keeps_the_partners_other_links(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        a, b, c = [await create_task(db, plan=plan) for _ in range(3)]
        assert (await api.patch(client, b.id, {"related_task_ids": [c.id]})).status_code == 200
        assert (await api.patch(client, a.id, {"related_task_ids": [b.id]})).status_code == 200
        assert (await api.read(client, b.id)).json()["related_task_ids"] == sorted([a.id, c.id])
        assert (await api.read(client, c.id)).json()["related_task_ids"] == [b.id]

    async def test_partner_etag_changes_with_its_links(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        # B's representation (related_task_ids) changes, so a stale If-Match on B must fail.
        plan = await create_plan(db)
        a, b = await create_task(db, plan=plan), await create_task(db, plan=plan)
        b_before = await api.read(client, b.id)
        assert (await api.patch(client, a.id, {"related_task_ids": [b.id]})).status_code == 200
        b_after = await api.read(client, b.id)
        assert b_after.json()["related_task_ids"] == [a.id]
        assert b_after.headers["etag"] != b_before.headers["etag"]
        stale = await api.patch(client, b.id, {"related_task_ids": []}, b_before.headers["etag"])
        assert_problem(stale, 412, "precondition_failed")
        assert (await api.read(client, a.id)).json()["related_task_ids"] == [b.id]

    async def test_task_of_another_plan_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        a = await create_task(db)
        foreign = await create_task(db)
        response = await api.patch(client, a.id, {"related_task_ids": [foreign.id]})
        body = assert_problem(response, 422)
        assert body["errors"][0]["pointer"] == "#/related_task_ids"
        assert (await api.read(client, a.id)).json()["related_task_ids"] == []
        assert (await api.read(client, foreign.id)).json()["related_task_ids"] == []

    async def test_task_of_another_plan_at_creation_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        foreign = await create_task(db)
        response = await client.post(URL, json=valid_body(plan.id, related_task_ids=[foreign.id]))
        body = assert_problem(response, 422)
        assert body["errors"][0]["pointer"] == "#/related_task_ids"
        assert await api.count(db) == 1

    async def test_missing_task_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        a = await create_task(db)
        response = await api.patch(client, a.id, {"related_task_ids": [MAX_ID]})
        assert_problem(response, 422)

    async def test_itself_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        a = await create_task(db)
        response = await api.patch(client, a.id, {"related_task_ids": [a.id]})
        body = assert_problem(response, 422)
        assert body["errors"][0]["pointer"] == "#/related_task_ids"


class TestListTasks:
    async def test_filter_by_plan(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        wanted = await create_task(db, plan=plan)
        await create_task(db)
        assert await api.list_ids(client, plan_id=plan.id) == [wanted.id]

    async def test_filter_by_parent(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        parent = await create_task(db, plan=plan, kind="section")
        child = await create_task(db, plan=plan, parent_id=parent.id)
        await create_task(db, plan=plan)
        assert await api.list_ids(client, parent_id=parent.id) == [child.id]

    async def test_filter_by_due_before_is_strict(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        early = await create_task(db, plan=plan, due_on=date(2024, 6, 29))
        await create_task(db, plan=plan, due_on=date(2024, 6, 30))
        await create_task(db, plan=plan, due_on=date(2024, 12, 31))
        assert await api.list_ids(client, due_before="2024-06-30") == [early.id]

    async def test_filter_by_text(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        by_title = await create_task(db, plan=plan, title="建设科技馆新馆")
        by_text = await create_task(db, plan=plan, title="其他", description="筹建科技馆分馆")
        await create_task(db, plan=plan, title="学术交流")
        assert await api.list_ids(client, q="科技馆") == [by_title.id, by_text.id]

    async def test_text_filter_is_case_insensitive_and_literal(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        wanted = await create_task(db, plan=plan, title="Coverage 100% of COUNTIES")
        await create_task(db, plan=plan, title="Coverage 1000 of counties")
        assert await api.list_ids(client, q="100% of counties") == [wanted.id]

    async def test_filter_by_unit_includes_its_groups(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        group = await create_unit(db, kind="group", name="各全省学会")
        member = await create_unit(db, kind="society", parent_id=group.id)
        other = await create_unit(db)
        own = await create_task(db, plan=plan)
        via_group = await create_task(db, plan=plan)
        others = await create_task(db, plan=plan)
        await create_responsibility(db, task=own, unit=member, role="participant")
        await create_responsibility(db, task=via_group, unit=group)
        await create_responsibility(db, task=others, unit=other)
        assert await api.list_ids(client, unit_id=member.id) == [own.id, via_group.id]
        assert await api.list_ids(client, unit_id=group.id) == [via_group.id]

    async def test_filters_combine(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        wanted = await create_task(db, plan=plan, kind="key_task", status="completed")
        await create_task(db, plan=plan, kind="key_task", status="in_progress")
        await create_task(db, plan=plan, kind="work_point", status="completed")
        await create_task(db, kind="key_task", status="completed")
        assert await api.list_ids(client, plan_id=plan.id, kind="key_task", status="completed") == [
            wanted.id
        ]


class TestUpdateTask:
    async def test_changes_only_given_fields(self, client: AsyncClient, db: AsyncSession) -> None:
        # In progress already: progress alone would move a task not started (see below).
        task = await create_task(db, title="旧标题", description="原文", status="in_progress")
        before = await api.read(client, task.id)
        response = await api.patch(client, task.id, {"progress": 60}, before.headers["etag"])
        assert response.status_code == 200, response.text
        after = response.json()
        assert after["progress"] == 60
        for key in ("title", "description", "status", "due_on", "kind", "number", "plan_id"):
            assert after[key] == before.json()[key]
        assert response.headers["etag"] != before.headers["etag"]
        assert (await api.read(client, task.id)).json() == after
        assert await db.scalar(select(Task.progress).where(Task.id == task.id)) == 60

    async def test_parent_can_be_cleared(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        parent = await create_task(db, plan=plan, kind="section")
        child = await create_task(db, plan=plan, parent_id=parent.id)
        response = await api.patch(client, child.id, {"parent_id": None})
        assert response.status_code == 200, response.text
        assert response.json()["parent_id"] is None

    async def test_own_parent_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        body = assert_problem(await api.patch(client, task.id, {"parent_id": task.id}), 422)
        assert body["errors"][0]["pointer"] == "#/parent_id"

    async def test_becoming_its_own_ancestor_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        top = await create_task(db, plan=plan, kind="section")
        middle = await create_task(db, plan=plan, kind="key_task", parent_id=top.id)
        bottom = await create_task(db, plan=plan, kind="subtask", parent_id=middle.id)
        before = (await api.read(client, top.id)).json()
        body = assert_problem(await api.patch(client, top.id, {"parent_id": bottom.id}), 422)
        assert body["errors"][0]["pointer"] == "#/parent_id"
        assert (await api.read(client, top.id)).json() == before

    async def test_parent_in_another_plan_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        foreign = await create_task(db)
        body = assert_problem(await api.patch(client, task.id, {"parent_id": foreign.id}), 422)
        assert body["errors"][0]["pointer"] == "#/parent_id"

    async def test_missing_parent_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        body = assert_problem(await api.patch(client, task.id, {"parent_id": MAX_ID}), 422)
        assert body["errors"][0]["pointer"] == "#/parent_id"

    async def test_duplicate_number_is_409(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        await create_task(db, plan=plan, kind="work_point", number="1")
        task = await create_task(db, plan=plan, kind="work_point", number="2")
        assert_problem(await api.patch(client, task.id, {"number": "1"}), 409, "conflict")
        assert (await api.read(client, task.id)).json()["number"] == "2"

    async def test_start_after_existing_due_is_422(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db, due_on=date(2024, 6, 30))
        body = assert_problem(await api.patch(client, task.id, {"start_on": "2024-07-01"}), 422)
        assert "start_on" in body["detail"]
        assert (await api.read(client, task.id)).json()["start_on"] is None

    @pytest.mark.parametrize("value", ["2024-02-30", 20240601, "2024-13-01"])
    async def test_bad_date_is_422(self, client: AsyncClient, db: AsyncSession, value: Any) -> None:
        task = await create_task(db)
        body = assert_problem(await api.patch(client, task.id, {"due_on": value}), 422)
        assert body["errors"][0]["pointer"] == "#/due_on"

    async def test_completing_fills_completed_on(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db, status="in_progress")
        response = await api.patch(client, task.id, {"status": "completed"})
        assert response.status_code == 200, response.text
        assert response.json()["completed_on"] == clock.today().isoformat()

    async def test_completing_with_a_date_keeps_it(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db, status="in_progress")
        response = await api.patch(
            client, task.id, {"status": "completed", "completed_on": "2024-04-01"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["completed_on"] == "2024-04-01"


class TestStatusFollowsProgress:
    """The ledger must not show 未开始 beside 完成60%: progress above 0 means the work began."""

    @pytest.mark.parametrize(
        ("before", "after"),
        [
            ("not_started", "in_progress"),
            ("in_progress", "in_progress"),
            ("suspended", "suspended"),
            ("completed", "completed"),
            ("cancelled", "cancelled"),
        ],
    )
    async def test_progress_moves_only_a_task_not_started(
        self, client: AsyncClient, db: AsyncSession, before: str, after: str
    ) -> None:
        task = await create_task(db, status=before)
        response = await api.patch(client, task.id, {"progress": 60})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == after
        assert await db.scalar(select(Task.status).where(Task.id == task.id)) == after

    async def test_progress_back_to_zero_does_not_move_status_back(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db, status="in_progress", progress=30)
        response = await api.patch(client, task.id, {"progress": 0})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "in_progress"

    async def test_created_with_progress_is_in_progress(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db)
        response = await client.post(
            URL, json=valid_body(plan.id, status="not_started", progress=20)
        )
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "in_progress"
        stored = await db.scalar(select(Task.status).where(Task.id == response.json()["id"]))
        assert stored == "in_progress"


class TestCompletionDate:
    async def test_reopening_clears_completed_on(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(
            db, status="completed", progress=100, completed_on=date(2024, 5, 1)
        )
        response = await api.patch(client, task.id, {"status": "in_progress", "progress": 90})
        assert response.status_code == 200, response.text
        assert response.json()["completed_on"] is None
        stored = await db.scalar(select(Task.completed_on).where(Task.id == task.id))
        assert stored is None

    async def test_other_change_keeps_completion(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db, status="completed", completed_on=date(2024, 5, 1))
        response = await api.patch(client, task.id, {"title": "改名"})
        assert response.status_code == 200, response.text
        assert response.json()["completed_on"] == "2024-05-01"

    async def test_completing_again_keeps_the_first_date(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db, status="completed", completed_on=date(2024, 5, 1))
        response = await api.patch(client, task.id, {"status": "completed", "completed_on": None})
        assert response.status_code == 200, response.text
        assert response.json()["completed_on"] == "2024-05-01"


class TestDeleteTask:
    async def test_task_with_subtasks_is_409(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        parent = await create_task(db, plan=plan, kind="key_task")
        await create_task(db, plan=plan, kind="subtask", parent_id=parent.id)
        response = await client.delete(f"{URL}/{parent.id}", headers={"If-Match": "*"})
        body = assert_problem(response, 409, "conflict")
        assert "subtask" in body["detail"]
        await api.read(client, parent.id)

    async def test_task_with_indicators_is_409(self, client: AsyncClient, db: AsyncSession) -> None:
        task = await create_task(db)
        await create_indicator(db, task=task)
        response = await client.delete(f"{URL}/{task.id}", headers={"If-Match": "*"})
        body = assert_problem(response, 409, "conflict")
        assert "indicator" in body["detail"]
        await api.read(client, task.id)

    async def test_takes_responsibilities_and_milestones_along(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        await create_responsibility(db, task=task, unit=await create_unit(db))
        await create_milestone(db, task=task)
        response = await client.delete(f"{URL}/{task.id}", headers={"If-Match": "*"})
        assert response.status_code == 204, response.text
        for model in (Responsibility, Milestone):
            count = await db.scalar(
                select(func.count()).select_from(model).where(model.task_id == task.id)
            )
            assert count == 0
        assert_problem(await client.get(f"{URL}/{task.id}"), 404)

    async def test_unlinks_related_tasks(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        a, b = await create_task(db, plan=plan), await create_task(db, plan=plan)
        assert (await api.patch(client, a.id, {"related_task_ids": [b.id]})).status_code == 200
        b_before = await api.read(client, b.id)
        assert (await client.delete(f"{URL}/{a.id}", headers={"If-Match": "*"})).status_code == 204
        b_after = await api.read(client, b.id)
        assert b_after.json()["related_task_ids"] == []
        assert b_after.headers["etag"] != b_before.headers["etag"]
        left = await db.scalar(
            select(func.count())
            .select_from(TaskRelation)
            .where(TaskRelation.related_task_id == a.id)
        )
        assert left == 0
