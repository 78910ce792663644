"""Importing a notice through the API: the seed becomes a faithful plan, once."""

from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.plans.models import Plan
from app.tasks.models import Task
from app.units.models import Unit
from tests.factories import create_unit

SEED = (Path(__file__).parent / "fixtures" / "henan-sta-2024-work-plan.txt").read_text("utf-8")
TEXT = {"content-type": "text/plain; charset=utf-8"}


async def import_seed(client: AsyncClient, **params: str) -> dict:  # type: ignore[type-arg]
    response = await client.post(
        "/api/v1/plan-imports", content=SEED.encode(), headers=TEXT, params=params
    )
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


async def all_items(client: AsyncClient, path: str, **params: object) -> list[dict]:  # type: ignore[type-arg]
    items: list[dict] = []  # type: ignore[type-arg]
    cursor = None
    while True:
        query = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(path, params=query)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


class TestImportSeed:
    async def test_plan_header_comes_from_the_notice(self, client: AsyncClient) -> None:
        record = await import_seed(client)
        plan = (await client.get(f"/api/v1/plans/{record['plan_id']}")).json()
        assert plan["year"] == 2024
        assert plan["doc_number"] == "豫科协办发〔2024〕9号"
        assert "河南省科学技术协会" in plan["issuer"]
        assert "重点工作" in plan["title"]

    async def test_tree_of_sections_work_points_and_key_tasks(self, client: AsyncClient) -> None:
        plan_id = (await import_seed(client))["plan_id"]
        tasks = await all_items(client, "/api/v1/tasks", plan_id=plan_id)
        by_kind: dict[str, list[dict]] = {}  # type: ignore[type-arg]
        for task in tasks:
            by_kind.setdefault(task["kind"], []).append(task)
        assert [t["number"] for t in by_kind["section"]] == list("一二三四五六")
        assert [t["number"] for t in by_kind["work_point"]] == [str(n) for n in range(1, 20)]
        assert [t["number"] for t in by_kind["key_task"]] == [str(n) for n in range(1, 11)]
        sections = {t["id"]: t["number"] for t in by_kind["section"]}
        wp = {t["number"]: t for t in by_kind["work_point"]}
        assert sections[wp["1"]["parent_id"]] == "一"
        assert sections[wp["19"]["parent_id"]] == "六"
        assert all(t["parent_id"] is None for t in by_kind["key_task"])
        # page break repaired inside WP4: "积极推\n\n荐我省"
        assert "积极推荐我省" in wp["4"]["description"]
        assert all(t["due_on"] == "2024-12-31" for t in tasks)

    async def test_responsibilities_leads_and_groups(self, client: AsyncClient) -> None:
        plan_id = (await import_seed(client))["plan_id"]
        kt2 = (
            await client.get(
                "/api/v1/tasks", params={"plan_id": plan_id, "kind": "key_task", "number": "2"}
            )
        ).json()["items"][0]
        rows = await all_items(client, "/api/v1/responsibilities", task_id=kt2["id"])
        roles = {}
        for row in rows:
            unit = (await client.get(f"/api/v1/units/{row['unit_id']}")).json()
            roles[unit["name"]] = (row["role"], unit["kind"], unit["is_inferred"])
        # （责任部门：省科技馆、机关各部室）
        assert roles == {
            "省科技馆": ("lead", "institution", True),
            "机关各部室": ("participant", "group", True),
        }

    async def test_targets_become_indicators(self, client: AsyncClient) -> None:
        plan_id = (await import_seed(client))["plan_id"]
        indicators = await all_items(client, "/api/v1/indicators", plan_id=plan_id)
        targets = {
            (i["comparator"], i["target_value"], i["target_max"], i["unit_label"])
            for i in indicators
        }
        assert ("between", 3, 5, "家") in targets  # WP2 力争新增3-5家
        assert ("gte", 200, None, "万人次") in targets  # WP13 不少于 200 万人次
        assert ("gte", 200, None, "场") in targets  # WP12 不少于200场
        assert (
            sum(1 for i in indicators if i["comparator"] == "lte" and i["target_value"] == 0) == 3
        )
        assert len(indicators) >= 15  # the 15 the issue lists

    async def test_key_tasks_link_to_the_work_points_they_restate(
        self, client: AsyncClient
    ) -> None:
        plan_id = (await import_seed(client))["plan_id"]
        tasks = await all_items(client, "/api/v1/tasks", plan_id=plan_id)
        number = {t["id"]: (t["kind"], t["number"]) for t in tasks}
        links = {
            (number[t["id"]][1], number[r][1])
            for t in tasks
            if t["kind"] == "key_task"
            for r in t["related_task_ids"]
        }
        assert {("1", "19"), ("2", "13"), ("3", "7")} <= links
        wp13 = next(t for t in tasks if number[t["id"]] == ("work_point", "13"))
        assert [number[r] for r in wp13["related_task_ids"]] == [("key_task", "2")]

    async def test_milestone_from_a_time_phrase(self, client: AsyncClient) -> None:
        plan_id = (await import_seed(client))["plan_id"]
        wp13 = (
            await client.get(
                "/api/v1/tasks", params={"plan_id": plan_id, "kind": "work_point", "number": "13"}
            )
        ).json()["items"][0]
        milestones = (
            await client.get("/api/v1/milestones", params={"task_id": wp13["id"]})
        ).json()["items"]
        assert [m["due_on"] for m in milestones] == ["2024-12-31"]

    async def test_import_record_keeps_source_and_warnings(self, client: AsyncClient) -> None:
        response = await client.post("/api/v1/plan-imports", content=SEED.encode(), headers=TEXT)
        assert response.status_code == 201
        detail = (await client.get(response.headers["location"])).json()
        assert detail["source_text"] == SEED
        assert detail["summary"]["work_points"] == 19
        assert detail["warnings"][:2] == [
            "未找到印发日期",
            "WP17：未点名牵头单位，仅列出集合性单位（如“机关各部室”）",
        ]


class TestImportOnce:
    async def test_second_import_is_409_naming_the_plan(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        first = await import_seed(client)
        again = await client.post("/api/v1/plan-imports", content=SEED.encode(), headers=TEXT)
        assert again.status_code == 409
        assert str(first["plan_id"]) in again.json()["detail"]
        assert await db.scalar(select(func.count()).select_from(Plan)) == 1

    async def test_units_are_shared_with_existing_ones_by_name(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        office = await create_unit(db, code="HNAST-BGS", name="办公室", kind="department")
        await import_seed(client)
        offices = (await db.execute(select(Unit).where(Unit.name == "办公室"))).scalars().all()
        assert [u.id for u in offices] == [office.id]


class TestDryRun:
    async def test_dry_run_shows_everything_and_stores_nothing(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        preview = await import_seed(client, dry_run="true")
        assert preview["summary"]["key_tasks"] == 10
        assert len(preview["tasks"]) == 35
        assert await db.scalar(select(func.count()).select_from(Task)) == 0
        assert await db.scalar(select(func.count()).select_from(Plan)) == 0


class TestBadNotices:
    @pytest.mark.parametrize("text", ["", "随便写点什么", "\x00\x00", "1. 2. 3."])
    async def test_not_a_notice_is_422_listing_problems(
        self, client: AsyncClient, db: AsyncSession, text: str
    ) -> None:
        response = await client.post("/api/v1/plan-imports", content=text.encode(), headers=TEXT)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"]
        assert await db.scalar(select(func.count()).select_from(Plan)) == 0

    async def test_invalid_utf8_is_422(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/plan-imports", content=SEED.encode("gb18030"), headers=TEXT
        )
        assert response.status_code == 422
        assert "gb18030" in response.json()["detail"].lower()

    async def test_gb18030_with_its_charset_is_read(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/plan-imports",
            content=SEED.encode("gb18030"),
            headers={"content-type": "text/plain; charset=GB18030"},
        )
        assert response.status_code == 201

    async def test_unsupported_type_is_415(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/plan-imports", content=b"<notice/>", headers={"content-type": "text/xml"}
        )
        assert response.status_code == 415

    async def test_json_that_is_not_a_structure_is_422_naming_the_fields(
        self, client: AsyncClient
    ) -> None:
        response = await client.post("/api/v1/plan-imports", json={"text": SEED})
        assert response.status_code == 422
        pointers = {e["pointer"] for e in response.json()["errors"]}
        assert {"#/text", "#/title", "#/tasks"} <= pointers

    async def test_broken_docx_is_422(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/plan-imports",
            files={
                "file": ("notice.docx", b"PK\x03\x04 not really a zip", "application/octet-stream")
            },
        )
        assert response.status_code == 422


class TestUploads:
    async def test_txt_upload(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/plan-imports", files={"file": ("notice.txt", SEED.encode(), "text/plain")}
        )
        assert response.status_code == 201, response.text
        assert response.json()["filename"] == "notice.txt"

    async def test_docx_upload(self, client: AsyncClient) -> None:
        import io

        import docx

        document = docx.Document()
        for paragraph in SEED.split("\n"):
            document.add_paragraph(paragraph)
        buffer = io.BytesIO()
        document.save(buffer)
        response = await client.post(
            "/api/v1/plan-imports",
            files={"file": ("notice.docx", buffer.getvalue(), "application/octet-stream")},
        )
        assert response.status_code == 201, response.text
        assert response.json()["summary"]["work_points"] == 19


class TestImportIsAudited:
    async def test_import_leaves_an_event_on_the_plan(self, client: AsyncClient) -> None:
        record = await import_seed(client)
        events = (
            await client.get(
                "/api/v1/audit-events",
                params={"entity_type": "plan", "entity_id": record["plan_id"]},
            )
        ).json()["items"]
        assert [e["action"] for e in events] == ["import", "create"]
        assert events[0]["changes"]["summary"][1]["work_points"] == 19
