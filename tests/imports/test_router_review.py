"""The import as an office uses it: any format in, a preview to check, corrections sent back."""

import io
import random
from pathlib import Path

import docx
import openpyxl
import pytest
from httpx import AsyncClient

from tests.imports.test_router import SEED, TEXT, all_items, import_seed

FORMATS = Path(__file__).parent / "fixtures" / "formats"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ("序号", "重点任务", "牵头单位", "责任单位", "完成时限")
ROWS = (
    ("3", "建成区级科技馆，年内接待公众不少于5万人次。", "区科技局", "区财政局、区住建局",
     "2025年9月底前"),
    ("4", "新增高新技术企业10家左右。", "区工信局", "各街道", "2025年12月"),
)  # fmt: skip
TITLE = "某区2025年重点工作任务分工方案"


def division_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=0, cols=len(HEADER))
    for values in (HEADER, *ROWS):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def division_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([TITLE])
    sheet.merge_cells("A1:E1")
    for values in (HEADER, *ROWS):
        sheet.append(list(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def post_file(
    client: AsyncClient, name: str, data: bytes, media_type: str, **params: object
) -> dict:  # type: ignore[type-arg]
    response = await client.post(
        "/api/v1/plan-imports", files={"file": (name, data, media_type)}, params=params
    )
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


class TestTaskDivisionTables:
    @pytest.mark.parametrize(
        ("name", "make", "media_type"),
        [("fenggong.docx", division_docx, DOCX), ("fenggong.xlsx", division_xlsx, XLSX)],
    )
    async def test_each_row_is_an_item_with_its_units_target_and_deadline(
        self, client: AsyncClient, name: str, make: object, media_type: str
    ) -> None:
        record = await post_file(client, name, make(), media_type)  # type: ignore[operator]
        plan_id = record["plan_id"]
        tasks = await all_items(client, "/api/v1/tasks", plan_id=plan_id)
        assert [(t["number"], t["due_on"]) for t in tasks] == [
            ("3", "2025-09-30"),
            ("4", "2025-12-31"),
        ]
        first = next(t for t in tasks if t["number"] == "3")
        roles = await all_items(client, "/api/v1/responsibilities", task_id=first["id"])
        units = {u["id"]: u["name"] for u in await all_items(client, "/api/v1/units")}
        assert sorted((units[r["unit_id"]], r["role"]) for r in roles) == [
            ("区住建局", "participant"),
            ("区科技局", "lead"),
            ("区财政局", "participant"),
        ]
        indicators = await all_items(client, "/api/v1/indicators", plan_id=plan_id)
        assert sorted(
            (i["comparator"], i["target_value"], i["unit_label"]) for i in indicators
        ) == [
            ("about", 10, "家"),
            ("gte", 5, "万人次"),
        ]

    async def test_the_year_comes_from_the_title(self, client: AsyncClient) -> None:
        record = await post_file(client, "fenggong.xlsx", division_xlsx(), XLSX)
        assert record["year"] == 2025


class TestYear:
    NO_YEAR = "工作要点\n\n1. 开展调研。（责任部门：办公室）\n"

    async def test_a_notice_without_a_year_asks_for_it(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/plan-imports", content=self.NO_YEAR.encode(), headers=TEXT
        )
        assert response.status_code == 422
        assert "year" in response.json()["detail"]

    async def test_the_year_parameter_supplies_it(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/plan-imports",
            content=self.NO_YEAR.encode(),
            headers=TEXT,
            params={"year": 2026},
        )
        assert response.status_code == 201, response.text
        plan = (await client.get(f"/api/v1/plans/{response.json()['plan_id']}")).json()
        assert plan["year"] == 2026


class TestReview:
    async def test_a_corrected_preview_imports_as_corrected(self, client: AsyncClient) -> None:
        preview = await import_seed(client, dry_run="true")
        point = next(t for t in preview["tasks"] if t["code"] == "WP1")
        point["title"] = "改正后的标题"
        point["units"] = [{"name": "新设的督办处", "kind": "department", "role": "lead"}]
        point["indicators"] = [
            {"code": "WP1-X", "name": "调研报告", "comparator": "about", "target_value": 12}
        ]
        response = await client.post("/api/v1/plan-imports", json=preview)
        assert response.status_code == 201, response.text
        plan_id = response.json()["plan_id"]
        tasks = await all_items(client, "/api/v1/tasks", plan_id=plan_id, kind="work_point")
        first = next(t for t in tasks if t["number"] == "1")
        assert first["title"] == "改正后的标题"
        roles = await all_items(client, "/api/v1/responsibilities", task_id=first["id"])
        unit = (await client.get(f"/api/v1/units/{roles[0]['unit_id']}")).json()
        assert [(unit["name"], roles[0]["role"])] == [("新设的督办处", "lead")]
        indicators = await all_items(client, "/api/v1/indicators", task_id=first["id"])
        assert [(i["code"], i["comparator"]) for i in indicators] == [("WP1-X", "about")]
        detail = (await client.get(f"/api/v1/plan-imports/{response.json()['id']}")).json()
        assert "河南省科协" in detail["source_text"]

    async def test_a_structure_pointing_at_a_missing_parent_is_refused_whole(
        self, client: AsyncClient
    ) -> None:
        preview = await import_seed(client, dry_run="true")
        preview["tasks"][-1]["parent_code"] = "NOPE"
        response = await client.post("/api/v1/plan-imports", json=preview)
        assert response.status_code == 422
        assert "NOPE" in response.json()["detail"]
        assert (await client.get("/api/v1/plans")).json()["items"] == []

    async def test_a_preview_names_each_guess(self, client: AsyncClient) -> None:
        preview = await import_seed(client, dry_run="true")
        point = next(t for t in preview["tasks"] if t["code"] == "WP1")
        said = "新单位“学会服务中心”：按名称推断为直属单位，请核对"
        assert said in point["warnings"]
        assert point["warning_details"][point["warnings"].index(said)] == {
            "code": "new_unit",
            "task_code": "WP1",
            "params": {"name": "学会服务中心", "kind": "institution"},
        }
        assert point["source_text"].startswith("1.")

    async def test_previewing_an_imported_notice_says_which_plan_it_is(
        self, client: AsyncClient
    ) -> None:
        record = await import_seed(client)
        preview = await import_seed(client, dry_run="true")
        assert preview["existing_plan"]["id"] == record["plan_id"]
        assert preview["warnings"][0] == (
            f"该通知已导入为计划{record['plan_id']}（YKXBF-2024-9），再次导入将被拒绝"
        )
        again = await client.post("/api/v1/plan-imports", content=SEED.encode(), headers=TEXT)
        assert again.status_code == 409


WP17_NOBODY = [
    f"指标WP17-{n}“{name}”所属任务没有牵头单位，无人报送：导入后请为该指标指定报送单位"
    for n, name in ((1, "上访"), (2, "事故"), (3, "案件"))
]


class TestWarningsSpeakTheReadersLanguage:
    async def test_chinese_by_default_english_on_accept_language_en(
        self, client: AsyncClient
    ) -> None:
        zh = await import_seed(client, dry_run="true")
        client.headers["Accept-Language"] = "en"
        en = await import_seed(client, dry_run="true")
        kt5 = "统筹抓好相关全省性文件贯彻落实"
        assert zh["warnings"][:3] == [
            "未找到印发日期",
            "WP17：未点名牵头单位，仅列出集合性单位（如“机关各部室”）",
            f"KT5：未找到与之对应的工作要点（{kt5}）",
        ]
        assert en["warnings"][:3] == [
            "no issue date found",
            "WP17: no named lead unit, only collective groups",
            f"KT5: no matching work point found ({kt5})",
        ]
        # Machines read the same codes whatever the language, one for each sentence.
        assert zh["warning_details"] == en["warning_details"]
        assert len(zh["warning_details"]) == len(zh["warnings"])
        assert [d["code"] for d in zh["warning_details"][:3]] == [
            "no_issue_date",
            "only_collective_units",
            "no_matching_work_point",
        ]
        zh_wp1, en_wp1 = (next(t for t in p["tasks"] if t["code"] == "WP1") for p in (zh, en))
        assert "new unit 学会服务中心: kind institution guessed from its name" in en_wp1["warnings"]
        assert zh_wp1["warning_details"] == en_wp1["warning_details"]

    async def test_the_record_keeps_the_warnings_as_the_importer_read_them(
        self, client: AsyncClient
    ) -> None:
        client.headers["Accept-Language"] = "en-US,en;q=0.9"
        record = await import_seed(client)
        assert record["warnings"][0] == "no issue date found"
        client.headers.pop("Accept-Language")
        detail = (await client.get(f"/api/v1/plan-imports/{record['id']}")).json()
        assert detail["warnings"] == record["warnings"]  # what was said then, not re-said

    async def test_a_preview_sent_back_is_said_again_in_the_readers_language_not_twice(
        self, client: AsyncClient
    ) -> None:
        first = await import_seed(client, dry_run="true")
        response = await client.post(
            "/api/v1/plan-imports",
            json=first,
            params={"dry_run": "true"},
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 200, response.text
        again = response.json()
        assert again["warning_details"] == first["warning_details"]
        assert again["warnings"][0] == "no issue date found"
        wp1 = next(t for t in again["tasks"] if t["code"] == "WP1")
        assert len(wp1["warnings"]) == len(wp1["warning_details"]) == 13  # 13 new units, once
        assert wp1["warnings"][0] == "new unit 组织人事部: kind department guessed from its name"

    async def test_sentences_sent_without_details_are_kept_as_sent(
        self, client: AsyncClient
    ) -> None:
        first = await import_seed(client, dry_run="true")
        first["warnings"] = ["人工复核：第17项另行研究"]
        del first["warning_details"]
        response = await client.post("/api/v1/plan-imports", json=first)
        assert response.status_code == 201, response.text
        assert response.json()["warnings"] == [
            "人工复核：第17项另行研究",
            *(f"WP17：{w}" for w in WP17_NOBODY),
        ]

    @pytest.mark.parametrize(
        ("detail", "error"),
        [
            (
                {"code": "made_up"},
                {"pointer": "#/warning_details/0/code", "detail": "not a warning code"},
            ),
            (
                {"code": "new_unit", "params": {"name": "办公室"}},
                {"pointer": "#/warning_details/0", "detail": "params of new_unit must give kind"},
            ),
        ],
    )
    async def test_a_warning_the_service_cannot_say_is_refused(
        self,
        client: AsyncClient,
        detail: dict[str, object],
        error: dict[str, str],
    ) -> None:
        preview = await import_seed(client, dry_run="true")
        preview["warning_details"] = [detail]
        response = await client.post("/api/v1/plan-imports", json=preview)
        assert response.status_code == 422
        [said] = response.json()["errors"]
        assert said["pointer"] == error["pointer"]
        assert error["detail"] in said["detail"]
        assert (await client.get("/api/v1/plans")).json()["items"] == []


class TestAnIndicatorNobodyWillReport:
    """Reports are owed by the lead units of an indicator's task: work point 17 of the seed
    (零上访、零事故、零案件) names only collective groups, so nobody would report its targets."""

    async def test_the_preview_warns_on_the_task_and_the_plan(self, client: AsyncClient) -> None:
        preview = await import_seed(client, dry_run="true")
        wp17 = next(t for t in preview["tasks"] if t["code"] == "WP17")
        assert wp17["warnings"][-3:] == WP17_NOBODY
        assert [d["code"] for d in wp17["warning_details"][-3:]] == ["no_reporter"] * 3
        assert wp17["warning_details"][-3]["params"] == {"indicator": "WP17-1", "name": "上访"}
        assert preview["warnings"][-3:] == [f"WP17：{w}" for w in WP17_NOBODY]
        others = [t for t in preview["tasks"] if t["code"] != "WP17"]
        assert not any(d["code"] == "no_reporter" for t in others for d in t["warning_details"])

    async def test_in_english_on_request(self, client: AsyncClient) -> None:
        client.headers["Accept-Language"] = "en"
        preview = await import_seed(client, dry_run="true")
        assert preview["warnings"][-3] == (
            "WP17: indicator WP17-1 (上访) has no lead unit to report it: assign a reporting "
            "unit after import"
        )

    async def test_the_import_record_keeps_it_to_act_on(self, client: AsyncClient) -> None:
        record = await import_seed(client)
        assert record["warnings"][-3:] == [f"WP17：{w}" for w in WP17_NOBODY]

    async def test_a_lead_named_in_review_silences_it(self, client: AsyncClient) -> None:
        preview = await import_seed(client, dry_run="true")
        wp17 = next(t for t in preview["tasks"] if t["code"] == "WP17")
        wp17["units"].append({"name": "机关党委", "kind": "department", "role": "lead"})
        response = await client.post(
            "/api/v1/plan-imports", json=preview, params={"dry_run": "true"}
        )
        again = response.json()
        assert not any(d["code"] == "no_reporter" for d in again["warning_details"])
        assert not any("无人报送" in w for w in again["warnings"])
        wp17 = next(t for t in again["tasks"] if t["code"] == "WP17")
        assert not any("无人报送" in w for w in wp17["warnings"])
        record = (await client.post("/api/v1/plan-imports", json=again)).json()
        assert not any("无人报送" in w for w in record["warnings"])


class TestFilesThatCannotBeRead:
    async def test_a_scanned_pdf_says_it_has_no_text(self, client: AsyncClient) -> None:
        data = (FORMATS / "scanned.pdf").read_bytes()
        response = await client.post(
            "/api/v1/plan-imports", files={"file": ("scan.pdf", data, "application/pdf")}
        )
        assert response.status_code == 422
        assert response.json()["code"] == "no_text_layer"

    async def test_a_pdf_with_text_imports(self, client: AsyncClient) -> None:
        data = (FORMATS / "notice.pdf").read_bytes()
        preview = await post_file(client, "notice.pdf", data, "application/pdf", dry_run="true")
        assert preview["tasks"]

    @pytest.mark.parametrize(
        ("name", "make"),
        [
            ("a.docx", division_docx),
            ("a.xlsx", division_xlsx),
            ("a.pdf", lambda: (FORMATS / "notice.pdf").read_bytes()),
        ],
    )
    async def test_damaged_files_get_a_4xx_that_says_what_failed(
        self, client: AsyncClient, name: str, make: object
    ) -> None:
        original: bytes = make()  # type: ignore[operator]
        chance = random.Random(name)
        for _ in range(8):
            data = bytearray(original[: chance.randrange(1, len(original))])
            for _ in range(chance.randrange(0, 20)):
                if data:
                    data[chance.randrange(len(data))] = chance.randrange(256)
            response = await client.post(
                "/api/v1/plan-imports",
                files={"file": (name, bytes(data), "application/octet-stream")},
                params={"dry_run": "true"},
            )
            assert 400 <= response.status_code < 500 or response.status_code == 200
            if response.status_code != 200:
                assert response.json()["detail"]
