"""The ledger (台账) the office prints: one row per task, Chinese headers, opens in Excel."""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from httpx import AsyncClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from app.overview.ledger import HEADERS, LedgerIndicator, LedgerRow, to_csv, to_xlsx
from tests.factories import (
    create_indicator,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)
from tests.helpers import assert_problem
from tests.imports.test_router import import_seed


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def row(**overrides: Any) -> LedgerRow:
    values: dict[str, Any] = {
        "kind": "work_point",
        "number": "13",
        "title": "建设开放新科技馆",
        "leads": ["科普部"],
        "participants": ["办公室", "各全省学会"],
        "due_on": date(2024, 12, 31),
        "status": "in_progress",
        "health": "amber",
    }
    return LedgerRow(**(values | overrides))


class TestLedgerFile:
    def test_indicators_read_one_line_each(self) -> None:
        visitors = LedgerIndicator(
            "接待公众", "gte", 2_000_000, None, "人次", 1_234_567.5, "on_track"
        )
        firms = LedgerIndicator("服务企业", "between", 3, 5, "家", None, "no_data")
        zero = LedgerIndicator("零事故", "lte", 0, None, "", 0, "on_track")
        [header, line] = read_csv(to_csv([row(indicators=[visitors, firms, zero])]))
        cells = dict(zip(header, line, strict=True))
        assert cells["指标"].split("\n") == ["接待公众", "服务企业", "零事故"]
        assert cells["目标值"].split("\n") == ["≥2000000人次", "3-5家", "≤0"]
        assert cells["完成值"].split("\n") == ["1234567.5人次", "", "0"]
        assert cells["指标状态"].split("\n") == ["符合进度", "未报送", "符合进度"]
        assert cells["牵头单位"] == "科普部"
        assert cells["配合单位"] == "办公室、各全省学会"
        assert cells["健康度"] == "预警"

    def test_an_about_target_reads_as_approximate(self) -> None:
        growth = LedgerIndicator("地区生产总值增长", "about", 6.2, None, "%", 5.9, "achieved")
        doctors = LedgerIndicator("引进博士", "about", 10_000, None, "名", None, "no_data")
        [header, line] = read_csv(to_csv([row(indicators=[growth, doctors])]))
        cells = dict(zip(header, line, strict=True))
        assert cells["目标值"].split("\n") == ["约6.2%", "约10000名"]
        assert cells["指标状态"].split("\n") == ["已完成", "未报送"]

    def test_health_is_a_traffic_light_in_the_sheet(self) -> None:
        rows = [row(health="red"), row(health="green"), row(kind="section", health="green")]
        sheet = load_workbook(io.BytesIO(to_xlsx(rows, title="t"))).active
        assert sheet is not None
        column = HEADERS.index("健康度") + 1
        fills = [sheet.cell(row=r, column=column).fill.fgColor.rgb for r in (3, 4, 5)]
        assert fills[0] != fills[1]  # red and green look different
        assert fills[2] == fills[1]  # a section's light is its items' (rolled up)

    def test_text_that_looks_like_a_formula_stays_text(self) -> None:
        evil = row(latest_progress='=HYPERLINK("http://x","点击")', title="-1+2")
        [_, line] = read_csv(to_csv([evil]))
        assert line[HEADERS.index("最新进展")] == '\'=HYPERLINK("http://x","点击")'
        sheet = load_workbook(io.BytesIO(to_xlsx([evil], title="t"))).active
        assert sheet is not None
        cell = sheet.cell(row=3, column=HEADERS.index("最新进展") + 1)
        assert cell.data_type == "s"
        assert cell.value == '=HYPERLINK("http://x","点击")'

    def test_a_title_with_a_formula_and_control_characters(self) -> None:
        title = '=HYPERLINK("http://x","点击")\x07计划\x1b'
        evil = row(title="任务\x00\x0b一")
        sheet = load_workbook(io.BytesIO(to_xlsx([evil], title=title))).active
        assert sheet is not None
        heading = sheet.cell(row=1, column=1)
        assert heading.data_type == "s"
        assert heading.value == '=HYPERLINK("http://x","点击")计划'
        assert sheet.cell(row=3, column=HEADERS.index("工作任务") + 1).value == "任务一"


class TestLedgerRoute:
    async def test_seed_plan_as_csv(self, client: AsyncClient) -> None:
        plan_id = (await import_seed(client))["plan_id"]
        response = await client.get(
            f"/api/v1/plans/{plan_id}/ledger", params={"format": "csv", "as_of": "2024-07-20"}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        [header, *lines] = read_csv(response.content)
        assert tuple(header) == HEADERS
        assert len(lines) == 10 + 6 + 19  # key tasks, sections, work points
        kinds = [line[1] for line in lines]
        assert kinds[:10] == ["重点工作"] * 10  # key tasks first, then the sections in order
        assert kinds[10:12] == ["部分", "工作要点"]
        museum = next(line for line in lines if "≥200万人次" in line[9])  # WP13's target
        assert museum[1] == "工作要点"
        assert museum[11] == "未报送"  # nothing reported yet

    async def test_a_deep_chain_of_subtasks_is_listed_in_order(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        # Nothing bounds how deep the API lets tasks nest; the ledger must list them all.
        plan = await create_plan(db)
        parent = None
        for level in range(1500):
            task = await create_task(
                db, plan=plan, number=str(level), title=f"层{level}", parent_id=parent
            )
            parent = task.id
        response = await client.get(
            f"/api/v1/plans/{plan.id}/ledger", params={"format": "csv", "as_of": "2024-07-20"}
        )
        assert response.status_code == 200, response.text
        [_, *lines] = read_csv(response.content)
        assert [line[2] for line in lines] == [f"层{level}" for level in range(1500)]

    async def test_a_plan_title_with_control_characters_prints(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, title='=HYPERLINK("http://x")\x07计划')
        response = await client.get(
            f"/api/v1/plans/{plan.id}/ledger", params={"format": "xlsx", "as_of": "2024-07-20"}
        )
        assert response.status_code == 200, response.text
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert sheet["A1"].data_type == "s"
        assert sheet["A1"].value == '=HYPERLINK("http://x")计划 落实台账（截至 2024-07-20）'

    async def test_seed_plan_as_xlsx(self, client: AsyncClient) -> None:
        plan_id = (await import_seed(client))["plan_id"]
        response = await client.get(
            f"/api/v1/plans/{plan_id}/ledger", params={"as_of": "2024-07-20"}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert "2024-07-20" in str(sheet["A1"].value)
        assert tuple(c.value for c in sheet[2]) == HEADERS
        assert sheet.max_row == 2 + 35
        assert sheet.freeze_panes == "A3"

    async def test_reports_and_progress_reach_the_ledger(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, year=2024)
        task = await create_task(db, plan=plan, title="科普讲座")
        unit = await create_unit(db, name="科普部")
        await create_responsibility(db, task=task, unit=unit, role="lead")
        talks = await create_indicator(
            db, task=task, name="讲座", target_value=Decimal(200), unit_label="场"
        )
        await create_report(db, indicator=talks, unit=unit, period="2024Q1", value=Decimal(80))
        update = await client.post(
            f"/api/v1/tasks/{task.id}/progress-updates",
            json={"unit_id": unit.id, "period": "2024Q1", "done": "举办讲座80场"},
        )
        assert update.status_code == 201, update.text
        # as_of defaults to the offices' today, the day the update was just written
        response = await client.get(f"/api/v1/plans/{plan.id}/ledger", params={"format": "csv"})
        [header, line] = read_csv(response.content)
        cells = dict(zip(header, line, strict=True))
        assert cells["工作任务"] == "科普讲座"
        assert cells["牵头单位"] == "科普部"
        assert cells["目标值"] == "≥200场"
        assert cells["完成值"] == "80场"
        assert cells["最新进展"] == "[2024Q1] 举办讲座80场"

    async def test_an_about_indicator_within_its_tolerance_is_done(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, year=2024)
        task = await create_task(db, plan=plan, title="科普活动")
        unit = await create_unit(db)
        events = await create_indicator(
            db, task=task, comparator="about", target_value=Decimal(200), unit_label="场"
        )
        await create_report(db, indicator=events, unit=unit, period="2024Q1", value=Decimal(192))
        response = await client.get(
            f"/api/v1/plans/{plan.id}/ledger", params={"format": "csv", "as_of": "2024-04-30"}
        )
        [header, line] = read_csv(response.content)
        cells = dict(zip(header, line, strict=True))
        assert (cells["目标值"], cells["完成值"], cells["指标状态"]) == (
            "约200场",
            "192场",
            "已完成",
        )

    async def test_unknown_plan_is_404(self, client: AsyncClient) -> None:
        assert_problem(await client.get("/api/v1/plans/999999/ledger"), 404, "not_found")

    async def test_unknown_format_is_422(self, client: AsyncClient, db: AsyncSession) -> None:
        plan = await create_plan(db)
        response = await client.get(f"/api/v1/plans/{plan.id}/ledger", params={"format": "pdf"})
        assert_problem(response, 422, "validation_failed")
