"""POST /api/v1/bulk/{resource}: many rows in one request, checked row by row, written set-based."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.audit.models import AuditEvent
from app.bulk import parsing
from app.indicators.models import Indicator
from app.milestones.models import Milestone
from app.plans.models import Plan
from app.reports.models import IndicatorReport
from app.responsibilities.models import Responsibility
from app.tasks.models import Task
from app.units.models import Unit
from tests.factories import (
    create_indicator,
    create_milestone,
    create_plan,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)
from tests.helpers import ClientAs, assert_problem

URL = "/api/v1/bulk"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ndjson(rows: list[dict[str, Any]]) -> bytes:
    return b"\n".join(orjson.dumps(r) for r in rows) + b"\n"


async def post(
    client: AsyncClient,
    resource: str,
    body: bytes,
    content_type: str = "application/x-ndjson",
    **params: Any,
) -> Any:
    return await client.post(
        f"{URL}/{resource}",
        content=body,
        headers={"Content-Type": content_type},
        params={k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()},
    )


async def reports_in_db(db: AsyncSession) -> list[tuple[str, str, Decimal, str]]:
    rows = await db.execute(
        select(Unit.code, IndicatorReport.period, IndicatorReport.value, IndicatorReport.status)
        .join(Unit, Unit.id == IndicatorReport.unit_id)
        .order_by(Unit.id, IndicatorReport.period)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


class Setup:
    def __init__(self, plan: Plan, task: Task, indicator: Indicator, units: list[Unit]) -> None:
        self.plan, self.task, self.indicator, self.units = plan, task, indicator, units

    def row(self, who: int = 0, /, **overrides: Any) -> dict[str, Any]:
        return {
            "plan": self.plan.code,
            "indicator": self.indicator.code,
            "unit": self.units[who].code,
            "period": "2024Q1",
            "value": 10,
        } | overrides


@pytest.fixture
async def setup(db: AsyncSession) -> Setup:
    """A quarterly indicator of a 2024 task that units[0] leads and units[1] takes part in."""
    plan = await create_plan(db, year=2024)
    task = await create_task(db, plan=plan)
    indicator = await create_indicator(db, task=task, frequency="quarterly")
    units = [await create_unit(db), await create_unit(db)]
    await create_responsibility(db, task=task, unit=units[0])
    await create_responsibility(db, task=task, unit=units[1], role="participant")
    return Setup(plan, task, indicator, units)


class TestReportUpload:
    async def test_ndjson_rows_are_created(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        body = ndjson([setup.row(0), setup.row(1, value=58.5, note="二季度", period="2024-Q2")])
        response = await post(client, "indicator-reports", body)
        assert response.status_code == 200, response.text
        summary = response.json()
        assert (summary["total"], summary["created"], summary["failed"]) == (2, 2, 0)
        assert await reports_in_db(db) == [
            (setup.units[0].code, "2024Q1", Decimal("10"), "submitted"),
            (setup.units[1].code, "2024Q2", Decimal("58.5"), "submitted"),
        ]

    async def test_replay_changes_nothing(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        body = ndjson([setup.row(0), setup.row(1)])
        await post(client, "indicator-reports", body)
        versions = list(await db.scalars(select(IndicatorReport.version)))
        again = (await post(client, "indicator-reports", body)).json()
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
        assert list(await db.scalars(select(IndicatorReport.version))) == versions

    async def test_submission_time_is_recorded_for_the_scorecard(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        body = ndjson([setup.row(0), setup.row(1, status="draft")])
        assert (await post(client, "indicator-reports", body)).status_code == 200

        async def first_submitted() -> dict[int, Any]:
            rows = await db.execute(
                select(IndicatorReport.unit_id, IndicatorReport.first_submitted_at)
            )
            return dict(rows.all())

        times = await first_submitted()
        assert times[setup.units[0].id] is not None
        assert times[setup.units[1].id] is None  # a draft is not yet reported
        submit = ndjson([setup.row(1, status="submitted"), setup.row(0, value=11)])
        assert (await post(client, "indicator-reports", submit)).json()["updated"] == 2
        after = await first_submitted()
        assert after[setup.units[1].id] is not None
        assert after[setup.units[0].id] == times[setup.units[0].id]  # the first time stays

    async def test_changed_value_is_an_update_with_its_audit_event(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        report = await create_report(
            db, indicator=setup.indicator, unit=setup.units[0], period="2024Q1", value=Decimal(5)
        )
        response = await post(client, "indicator-reports", ndjson([setup.row(0, value=7)]))
        assert response.json()["updated"] == 1, response.text
        await db.refresh(report)
        assert (report.value, report.version) == (Decimal(7), 2)
        event = (
            await db.execute(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "indicator_report",
                    AuditEvent.entity_id == report.id,
                    AuditEvent.action == "update",
                )
            )
        ).scalar_one()
        assert event.changes["value"] == [5, 7]
        assert event.actor_name == "test admin"

    async def test_every_created_row_has_a_create_event(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        await post(client, "indicator-reports", ndjson([setup.row(0), setup.row(1)]))
        ids = set(await db.scalars(select(IndicatorReport.id)))
        events = await db.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity_type == "indicator_report", AuditEvent.action == "create"
            )
        )
        assert set(events) == ids

    async def test_atomic_failure_names_every_bad_row_and_writes_nothing(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        rows = [
            setup.row(0),
            setup.row(1, unit="NOPE"),
            setup.row(0, period="2024-05"),
            setup.row(0, value="many"),
            setup.row(0),
        ]
        response = await post(client, "indicator-reports", ndjson(rows))
        problem = assert_problem(response, 422, "invalid_rows")
        found = {(e["row"], e["field"], e["code"]) for e in problem["errors"]}
        assert found == {
            (2, "unit", "not_found"),
            (3, "period", "wrong_frequency"),
            (4, "value", "invalid_type"),
            (5, "plan", "duplicate"),
        }
        assert await reports_in_db(db) == []

    async def test_not_atomic_writes_the_good_rows(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        rows = [setup.row(0), setup.row(1, unit="NOPE"), setup.row(1)]
        response = await post(client, "indicator-reports", ndjson(rows), atomic=False)
        assert response.status_code == 200, response.text
        summary = response.json()
        assert (summary["created"], summary["failed"]) == (2, 1)
        assert summary["errors"] == [
            {"row": 2, "field": "unit", "code": "not_found", "message": "no unit with code NOPE"}
        ]
        assert len(await reports_in_db(db)) == 2

    async def test_dry_run_counts_and_writes_nothing(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        response = await post(client, "indicator-reports", ndjson([setup.row(0)]), dry_run=True)
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["dry_run"]) == (1, True)
        assert await reports_in_db(db) == []

    async def test_period_outside_the_plan_year(self, client: AsyncClient, setup: Setup) -> None:
        response = await post(client, "indicator-reports", ndjson([setup.row(0, period="2023Q1")]))
        problem = assert_problem(response, 422, "invalid_rows")
        assert problem["errors"][0]["code"] == "outside_plan_year"

    async def test_a_unit_with_no_part_in_the_task_is_refused(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        bystander = await create_unit(db)
        rows = [setup.row(0), setup.row(0, unit=bystander.code)]
        response = await post(client, "indicator-reports", ndjson(rows), atomic=False)
        assert response.status_code == 200, response.text
        assert response.json()["errors"] == [
            {
                "row": 2,
                "field": "unit",
                "code": "not_responsible",
                "message": f"unit {bystander.code} is not responsible for the task of "
                f"indicator {setup.indicator.code}",
            }
        ]
        assert [code for code, *_ in await reports_in_db(db)] == [setup.units[0].code]

    async def test_a_member_of_the_indicators_reporter_group_reports(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        # 零上访: nobody leads the task; the office gave the indicator to a group.
        group = await create_unit(db, kind="group")
        member = await create_unit(db, parent_id=group.id)
        setup.indicator.reporter_unit_id = group.id
        await db.flush()
        response = await post(client, "indicator-reports", ndjson([setup.row(0, unit=member.code)]))
        assert response.json()["created"] == 1, response.text

    async def test_a_member_of_a_responsible_group_reports(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        group = await create_unit(db, kind="group")
        await create_responsibility(db, task=setup.task, unit=group, role="participant")
        member = await create_unit(db, parent_id=group.id)
        response = await post(client, "indicator-reports", ndjson([setup.row(0, unit=member.code)]))
        assert response.json()["created"] == 1, response.text

    async def test_approved_report_is_locked(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        await create_report(
            db, indicator=setup.indicator, unit=setup.units[0], status="approved", value=Decimal(10)
        )
        same = await post(client, "indicator-reports", ndjson([setup.row(0, value=10)]))
        assert same.json()["unchanged"] == 1, same.text
        changed = await post(client, "indicator-reports", ndjson([setup.row(0, value=11)]))
        assert assert_problem(changed, 422)["errors"][0]["code"] == "locked"


class TestFormats:
    async def test_json_array(self, client: AsyncClient, db: AsyncSession, setup: Setup) -> None:
        response = await post(
            client, "indicator-reports", orjson.dumps([setup.row(0)]), "application/json"
        )
        assert response.json()["created"] == 1, response.text

    async def test_csv_with_bom(self, client: AsyncClient, db: AsyncSession, setup: Setup) -> None:
        csv = (
            "\ufeffplan,indicator,unit,period,value,note\r\n"
            f"{setup.plan.code},{setup.indicator.code},{setup.units[0].code},2024Q1,12.5,一季度\r\n"
        ).encode()
        response = await post(client, "indicator-reports", csv, "text/csv")
        assert response.json()["created"] == 1, response.text
        assert (await reports_in_db(db))[0][2] == Decimal("12.5")

    @pytest.mark.parametrize("content_type", ["text/csv; charset=gb18030", "text/csv"])
    async def test_gb18030_csv(
        self, client: AsyncClient, db: AsyncSession, setup: Setup, content_type: str
    ) -> None:
        csv = (
            "plan,indicator,unit,period,value,note\r\n"
            f"{setup.plan.code},{setup.indicator.code},{setup.units[0].code},2024Q1,3,科普活动\r\n"
        ).encode("gb18030")
        response = await post(client, "indicator-reports", csv, content_type)
        assert response.json()["created"] == 1, response.text
        note = await db.scalar(select(IndicatorReport.note))
        assert note == "科普活动"

    async def test_csv_mixing_utf8_and_gb18030_is_refused_and_nothing_stored(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        head = b"plan,indicator,unit,period,value,note\r\n"
        line = f"{setup.plan.code},{setup.indicator.code},{setup.units[0].code},2024Q1,3,"
        utf8 = (line + "中文备注\r\n").encode()
        gb = (line.replace("2024Q1", "2024Q2") + "科普活动\r\n").encode("gb18030")
        response = await post(client, "indicator-reports", head + utf8 + gb, "text/csv")
        assert response.status_code == 400, response.text
        assert "mixes UTF-8 (line 2) and GB18030 (GBK) text (line 3)" in response.json()["detail"]
        assert await reports_in_db(db) == []

    async def test_xlsx(self, client: AsyncClient, db: AsyncSession, setup: Setup) -> None:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["plan", "indicator", "unit", "period", "value"])
        sheet.append([setup.plan.code, setup.indicator.code, setup.units[0].code, "2024Q3", 42])
        sheet.append([setup.plan.code, setup.indicator.code, setup.units[1].code, "2024Q3", 1.5])
        buffer = io.BytesIO()
        book.save(buffer)
        response = await post(client, "indicator-reports", buffer.getvalue(), XLSX)
        assert response.json()["created"] == 2, response.text
        assert [r[2] for r in await reports_in_db(db)] == [Decimal(42), Decimal("1.5")]

    async def test_xlsx_refused_for_a_clear_reason_says_that_reason(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        """A sheet formatted to the end is refused with what to do, not "not a workbook"."""
        import zipfile

        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["plan", "indicator", "unit", "period", "value"])
        saved = io.BytesIO()
        book.save(saved)
        empty_rows = "".join(f'<row r="{n}"/>' for n in range(2, parsing.MAX_BLANK_ROWS + 20))
        padded = io.BytesIO()
        with zipfile.ZipFile(saved) as source, zipfile.ZipFile(padded, "w") as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(b"</sheetData>", empty_rows.encode() + b"</sheetData>")
                target.writestr(info, data, zipfile.ZIP_DEFLATED)
        response = await post(client, "indicator-reports", padded.getvalue(), XLSX)
        assert_problem(response, 400)
        assert "rows without cells; delete the empty rows" in response.json()["detail"]
        assert await reports_in_db(db) == []

    @pytest.mark.parametrize(
        ("content_type", "body"),
        [
            ("application/json", b"[{"),
            ("application/json", b'{"plan": "x"}'),
            (XLSX, b"PK\x03\x04 not a zip"),
            ("text/csv; charset=utf-8", b"plan,unit\n\xff\xfe,\n"),
            ("text/csv", b'plan,indicator,unit,period,value\n"x,y\n'),
        ],
    )
    async def test_unreadable_body_is_400(
        self, client: AsyncClient, content_type: str, body: bytes
    ) -> None:
        assert_problem(await post(client, "indicator-reports", body, content_type), 400)

    @pytest.mark.parametrize("atomic", ["true", "false"])
    async def test_json_array_broken_after_good_records_writes_nothing(
        self, client: AsyncClient, db: AsyncSession, setup: Setup, atomic: str
    ) -> None:
        good = b",".join(orjson.dumps(setup.row(i)) for i in range(2))
        response = await client.post(
            f"/api/v1/bulk/indicator-reports?atomic={atomic}",
            content=b"[" + good + b', {"plan": ]',
            headers={"Content-Type": "application/json"},
        )
        assert "record 3" in assert_problem(response, 400, "unreadable_body")["detail"]
        assert await reports_in_db(db) == []

    async def test_unknown_media_type_is_415(self, client: AsyncClient) -> None:
        response = await post(client, "units", b"<units/>", "application/xml")
        assert_problem(response, 415, "unsupported_media_type")

    async def test_unknown_columns_are_named(self, client: AsyncClient, setup: Setup) -> None:
        csv = b"plan,indicator,unit,period,value,colour,size\nP,I,U,2024,1,red,9\n"
        problem = assert_problem(await post(client, "indicator-reports", csv, "text/csv"), 422)
        assert problem["code"] == "unknown_columns"
        assert "colour" in problem["detail"]
        assert "size" in problem["detail"]

    async def test_unknown_json_keys_are_named(self, client: AsyncClient, setup: Setup) -> None:
        body = ndjson([setup.row(0, colour="red")])
        problem = assert_problem(await post(client, "indicator-reports", body), 422)
        assert problem["code"] == "unknown_columns"
        assert "colour" in problem["detail"]

    async def test_missing_key_column(self, client: AsyncClient) -> None:
        problem = assert_problem(
            await post(client, "indicator-reports", b"plan,unit,value\nP,U,1\n", "text/csv"), 422
        )
        assert problem["code"] == "missing_columns"
        assert "indicator" in problem["detail"]
        assert "period" in problem["detail"]

    @pytest.mark.parametrize(
        ("override", "code"),
        [
            ({"value": 1e300}, "out_of_range"),
            ({"value": "1e999999"}, "out_of_range"),
            ({"value": True}, "invalid_type"),
            ({"note": "a\x00b"}, "invalid"),
            ({"period": "2024Q9"}, "invalid_period"),
            ({"unit": {"code": "x"}}, "invalid_type"),
            ({"plan": None}, "required"),
        ],
    )
    async def test_bad_cells_are_row_errors(
        self, client: AsyncClient, setup: Setup, override: dict[str, Any], code: str
    ) -> None:
        body = ndjson([setup.row(0), setup.row(1, **override)])
        problem = assert_problem(await post(client, "indicator-reports", body), 422)
        assert [(e["row"], e["code"]) for e in problem["errors"]] == [(2, code)]

    async def test_malformed_ndjson_line_is_a_row_error(
        self, client: AsyncClient, setup: Setup
    ) -> None:
        body = ndjson([setup.row(0)]) + b"{not json\n[1]\n"
        response = await post(client, "indicator-reports", body, atomic=False)
        assert response.status_code == 200, response.text
        assert [(e["row"], e["code"]) for e in response.json()["errors"]] == [
            (2, "malformed"),
            (3, "not_an_object"),
        ]

    async def test_too_many_rows_is_413(
        self, app: FastAPI, client: AsyncClient, setup: Setup
    ) -> None:
        app.state.settings = app.state.settings.model_copy(update={"bulk_max_rows": 2})
        body = ndjson([setup.row(0), setup.row(1), setup.row(0, period="2024Q2")])
        assert_problem(await post(client, "indicator-reports", body), 413, "too_many_rows")

    async def test_body_over_the_bulk_limit_is_413(self, app: FastAPI, client: AsyncClient) -> None:
        app.state.settings = app.state.settings.model_copy(update={"bulk_max_body_bytes": 1024})
        assert_problem(await post(client, "units", b" " * 2000), 413)


@pytest.fixture
async def reporter(client_as: ClientAs, setup: Setup) -> AsyncIterator[AsyncClient]:
    """A reporter of units[0], which leads the setup's task."""
    async with client_as("reporter", unit=setup.units[0], name="reporter") as client:
        yield client


class TestAccess:
    async def test_reporter_uploads_its_own_units_reports(
        self, reporter: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        response = await post(reporter, "indicator-reports", ndjson([setup.row(0)]))
        assert response.json()["created"] == 1, response.text

    async def test_reporter_is_refused_another_units_row(
        self, reporter: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        response = await post(reporter, "indicator-reports", ndjson([setup.row(0), setup.row(1)]))
        problem = assert_problem(response, 422)
        assert [(e["row"], e["field"], e["code"]) for e in problem["errors"]] == [
            (2, "unit", "forbidden")
        ]
        assert await reports_in_db(db) == []

    async def test_reporter_is_refused_an_indicator_outside_its_tasks(
        self, reporter: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        other = await create_indicator(db, task=await create_task(db, plan=setup.plan))
        response = await post(
            reporter, "indicator-reports", ndjson([setup.row(0, indicator=other.code)])
        )
        problem = assert_problem(response, 422)
        # One mistake, one error: the unit's own check does not repeat the reporter's.
        assert [(e["row"], e["field"], e["code"]) for e in problem["errors"]] == [
            (1, "indicator", "forbidden")
        ]

    async def test_reporter_may_not_upload_units(self, reporter: AsyncClient) -> None:
        body = ndjson([{"code": "X1", "name": "x"}])
        assert_problem(await post(reporter, "units", body), 403, "forbidden")

    async def test_reader_may_not_upload(self, client_as: ClientAs, setup: Setup) -> None:
        async with client_as("reader", name="reader") as client:
            assert_problem(await post(client, "indicator-reports", ndjson([setup.row(0)])), 403)


class TestOtherResources:
    async def test_units_upsert_with_parent(self, client: AsyncClient, db: AsyncSession) -> None:
        group = await create_unit(db, code="G1", kind="group")
        csv = "code,name,kind,parent\nS1,学会一,society,G1\nS2,学会二,society,\n".encode()
        response = await post(client, "units", csv, "text/csv")
        assert response.json()["created"] == 2, response.text
        parents = dict((await db.execute(select(Unit.code, Unit.parent_id))).all())
        assert (parents["S1"], parents["S2"]) == (group.id, None)
        renamed = await post(client, "units", "code,name\nS1,学会甲\n".encode(), "text/csv")
        assert renamed.json()["updated"] == 1
        s1 = (await db.execute(select(Unit).where(Unit.code == "S1"))).scalar_one()
        await db.refresh(s1)
        assert (s1.name, s1.kind, s1.parent_id) == ("学会甲", "society", group.id)

    async def test_create_mode_refuses_existing(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        await create_unit(db, code="E1")
        body = ndjson([{"code": "E1", "name": "x"}])
        problem = assert_problem(await post(client, "units", body, mode="create"), 422)
        assert problem["errors"][0]["code"] == "exists"

    async def test_update_mode_refuses_missing(self, client: AsyncClient) -> None:
        body = ndjson([{"code": "NEW1", "name": "x"}])
        problem = assert_problem(await post(client, "units", body, mode="update"), 422)
        assert problem["errors"][0]["code"] == "not_found"

    async def test_required_to_create(self, client: AsyncClient) -> None:
        problem = assert_problem(await post(client, "units", ndjson([{"code": "NEW2"}])), 422)
        assert (problem["errors"][0]["field"], problem["errors"][0]["code"]) == (
            "name",
            "required",
        )

    async def test_tasks_responsibilities_milestones_indicators(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, code="PL1", year=2024)
        unit = await create_unit(db, code="UA")
        section = ndjson([{"plan": "PL1", "kind": "section", "number": "一", "title": "总体"}])
        assert (await post(client, "tasks", section)).json()["created"] == 1
        tasks = ndjson(
            [
                {
                    "plan": "PL1",
                    "kind": "work_point",
                    "number": "13",
                    "title": "新馆",
                    "parent": "一",
                    "due_on": "2024-12-31",
                },
            ]
        )
        created = await post(client, "tasks", tasks)
        assert created.status_code == 200, created.text
        assert created.json()["created"] == 1
        point = (
            await db.execute(select(Task).where(Task.plan_id == plan.id, Task.number == "13"))
        ).scalar_one()
        section_id = await db.scalar(select(Task.id).where(Task.number == "一"))
        assert point.parent_id == section_id
        resp = ndjson([{"plan": "PL1", "task": "13", "unit": "UA", "role": "participant"}])
        assert (await post(client, "responsibilities", resp)).json()["created"] == 1
        assert await db.scalar(
            select(Responsibility.role).where(Responsibility.unit_id == unit.id)
        ) == ("participant")
        stones = ndjson([{"task_id": point.id, "title": "开馆", "due_on": "2024-09-30"}])
        assert (await post(client, "milestones", stones)).json()["created"] == 1
        assert await db.scalar(select(Milestone.title).where(Milestone.task_id == point.id)) == (
            "开馆"
        )
        indicators = ndjson(
            [
                {
                    "plan": "PL1",
                    "code": "K1",
                    "task": "13",
                    "task_kind": "work_point",
                    "name": "接待",
                    "comparator": "between",
                    "target_value": 3,
                    "target_max": 5,
                    "frequency": "quarterly",
                },
                {"plan": "PL1", "code": "K2", "task": "13", "name": "x", "comparator": "gte"},
            ]
        )
        response = await post(client, "indicators", indicators, atomic=False)
        assert response.json()["created"] == 1, response.text
        assert [(e["row"], e["field"], e["code"]) for e in response.json()["errors"]] == [
            (2, "target_value", "required")
        ]
        stored = (await db.execute(select(Indicator).where(Indicator.code == "K1"))).scalar_one()
        assert (stored.task_id, stored.plan_id, stored.target_max) == (
            point.id,
            plan.id,
            Decimal(5),
        )

    async def test_ambiguous_task_number_needs_a_kind(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, code="PL2")
        await create_task(db, plan=plan, kind="key_task", number="1")
        await create_task(db, plan=plan, kind="work_point", number="1")
        unit = await create_unit(db)
        body = ndjson([{"plan": "PL2", "task": "1", "unit": unit.code}])
        problem = assert_problem(await post(client, "responsibilities", body), 422)
        assert problem["errors"][0]["code"] == "ambiguous"
        body = ndjson([{"plan": "PL2", "task": "1", "task_kind": "key_task", "unit": unit.code}])
        assert (await post(client, "responsibilities", body)).json()["created"] == 1

    async def test_about_indicators_upload_without_a_max(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, code="PL3")
        await create_task(db, plan=plan, kind="work_point", number="5")
        csv = (
            "plan,code,task,name,unit_label,comparator,target_value,target_max,source_text\n"
            "PL3,GDP,5,地区生产总值增长,%,about,6.2,,地区生产总值增长6.2%左右\n"
            "PL3,PHD,5,博士,名,about,10000,12000,1万名左右博士\n"
        ).encode()
        response = await post(client, "indicators", csv, "text/csv", atomic=False)
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 1
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "target_max")]
        stored = (await db.execute(select(Indicator).where(Indicator.code == "GDP"))).scalar_one()
        assert (stored.comparator, stored.target_value, stored.target_max) == (
            "about",
            Decimal("6.2"),
            None,
        )


class TestStatusRules:
    """Uploads keep the same rules as the API: status follows progress, completion has a date."""

    async def test_progress_moves_only_tasks_not_started(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, code="SR1")
        before = {
            "1": "not_started",
            "2": "suspended",
            "3": "completed",
            "4": "cancelled",
            "5": "in_progress",
        }
        for number, status in before.items():
            await create_task(db, plan=plan, number=number, status=status, progress=10)
        rows = [{"plan": "SR1", "kind": "work_point", "number": n, "progress": 60} for n in before]
        rows[4]["progress"] = 0  # back to zero: still in progress, never moved back
        rows.append(
            {"plan": "SR1", "kind": "work_point", "number": "6", "title": "新", "progress": 5}
        )
        response = await post(client, "tasks", ndjson(rows))
        assert response.status_code == 200, response.text
        assert (response.json()["created"], response.json()["updated"]) == (1, 5)
        stored = dict(
            (
                await db.execute(select(Task.number, Task.status).where(Task.plan_id == plan.id))
            ).all()
        )
        assert stored == {
            "1": "in_progress",
            "2": "suspended",
            "3": "completed",
            "4": "cancelled",
            "5": "in_progress",
            "6": "in_progress",
        }

    async def test_completed_gets_todays_date_unless_it_has_one(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, code="SR2")
        await create_task(db, plan=plan, number="1", status="in_progress")
        await create_task(
            db, plan=plan, number="2", status="completed", completed_on=date(2024, 5, 1)
        )
        csv = (
            "plan,kind,number,title,status,progress,completed_on\n"
            "SR2,work_point,1,,completed,100,\n"  # completed now
            "SR2,work_point,2,,completed,100,\n"  # completed before: keeps its date
            "SR2,work_point,3,新建已办结,completed,100,\n"  # created completed
            "SR2,work_point,4,带日期,completed,100,2024-03-03\n"
        ).encode()
        response = await post(client, "tasks", csv, "text/csv")
        assert response.status_code == 200, response.text
        stored = dict(
            (
                await db.execute(
                    select(Task.number, Task.completed_on).where(Task.plan_id == plan.id)
                )
            ).all()
        )
        assert stored == {
            "1": clock.today(),
            "2": date(2024, 5, 1),
            "3": clock.today(),
            "4": date(2024, 3, 3),
        }

    async def test_reopening_clears_completed_on(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, code="SR3")
        task = await create_task(
            db, plan=plan, number="1", status="completed", completed_on=date(2024, 5, 1)
        )
        body = ndjson(
            [{"plan": "SR3", "kind": "work_point", "number": "1", "status": "in_progress"}]
        )
        response = await post(client, "tasks", body)
        assert response.json()["updated"] == 1, response.text
        stored = (
            await db.execute(select(Task.status, Task.completed_on).where(Task.id == task.id))
        ).one()
        assert tuple(stored) == ("in_progress", None)

    async def test_full_progress_without_completion_shows_in_health(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, code="SR4")
        task = await create_task(db, plan=plan, number="1")
        body = ndjson([{"plan": "SR4", "kind": "work_point", "number": "1", "progress": 100}])
        assert (await post(client, "tasks", body)).json()["updated"] == 1
        health = await client.get(f"/api/v1/tasks/{task.id}/health", params={"as_of": "2024-07-01"})
        assert health.json()["status"] == "amber", health.text
        assert health.json()["reasons"] == ["进度已达100%，但尚未办结"]

    async def test_milestone_completion_date_follows_its_status(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        task = await create_task(db)
        done = await create_milestone(
            db, task=task, title="已完成", status="completed", completed_on=date(2024, 5, 1)
        )
        rows = [
            {"task_id": task.id, "title": "新节点", "due_on": "2024-09-30", "status": "completed"},
            {"task_id": task.id, "title": "已完成", "status": "pending"},  # reopened
        ]
        response = await post(client, "milestones", ndjson(rows))
        assert response.status_code == 200, response.text
        stored = dict(
            (
                await db.execute(
                    select(Milestone.title, Milestone.completed_on).where(
                        Milestone.task_id == task.id
                    )
                )
            ).all()
        )
        assert stored == {"新节点": clock.today(), "已完成": None}
        assert await db.scalar(select(Milestone.status).where(Milestone.id == done.id)) == "pending"


class TestTrees:
    """Units and tasks form trees: a parent may come in the same upload, in any row order, and
    no upload may close a loop."""

    async def test_units_and_their_new_group_in_one_upload(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        csv = (
            "code,name,kind,parent\n"
            "T-S1,学会一,society,T-SUB\n"  # its parent comes later, and is new too
            "T-SUB,分组,group,T-ALL\n"
            "T-ALL,全省学会,group,\n"
        ).encode()
        response = await post(client, "units", csv, "text/csv")
        assert response.json()["created"] == 3, response.text
        ids = dict((await db.execute(select(Unit.code, Unit.id))).all())
        parents = dict((await db.execute(select(Unit.code, Unit.parent_id))).all())
        assert parents["T-S1"] == ids["T-SUB"]
        assert parents["T-SUB"] == ids["T-ALL"]
        assert parents["T-ALL"] is None
        event = await db.scalar(
            select(AuditEvent.changes).where(
                AuditEvent.entity_type == "unit", AuditEvent.entity_id == ids["T-S1"]
            )
        )
        assert event is not None
        assert event["parent_id"] == [None, ids["T-SUB"]]
        replay = await post(client, "units", csv, "text/csv")
        assert replay.json()["unchanged"] == 3, replay.text

    async def test_section_and_its_work_points_in_one_upload(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        plan = await create_plan(db, code="TREE-P")
        body = ndjson(
            [
                {
                    "plan": "TREE-P",
                    "kind": "work_point",
                    "number": "1",
                    "title": "甲",
                    "parent": "一",
                },
                {"plan": "TREE-P", "kind": "section", "number": "一", "title": "总体"},
                {
                    "plan": "TREE-P",
                    "kind": "work_point",
                    "number": "2",
                    "title": "乙",
                    "parent": "一",
                },
            ]
        )
        response = await post(client, "tasks", body)
        assert response.json()["created"] == 3, response.text
        tasks = {t.number: t for t in await db.scalars(select(Task).where(Task.plan_id == plan.id))}
        assert tasks["1"].parent_id == tasks["2"].parent_id == tasks["一"].id

    async def test_an_existing_unit_may_move_under_a_new_group(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        member = await create_unit(db, code="T-MOVE")
        csv = "code,name,kind,parent\nT-MOVE,,,T-NEW\nT-NEW,新组,group,\n".encode()
        response = await post(client, "units", csv, "text/csv")
        assert (response.json()["created"], response.json()["updated"]) == (1, 1), response.text
        await db.refresh(member)
        assert member.parent_id == await db.scalar(select(Unit.id).where(Unit.code == "T-NEW"))

    async def test_a_loop_through_existing_units_is_refused(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        top = await create_unit(db, code="T-TOP", kind="group")
        await create_unit(db, code="T-MID", kind="group", parent_id=top.id)
        csv = "code,name,parent\nT-TOP,顶,T-MID\n".encode()
        problem = assert_problem(await post(client, "units", csv, "text/csv"), 422, "invalid_rows")
        assert [(e["row"], e["field"], e["code"]) for e in problem["errors"]] == [
            (1, "parent", "cycle")
        ]
        await db.refresh(top)
        assert top.parent_id is None

    async def test_a_loop_among_new_tasks_is_refused(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        await create_plan(db, code="TREE-L")
        row = {"plan": "TREE-L", "kind": "work_point", "title": "x"}
        body = ndjson(
            [
                {**row, "number": "1", "parent": "2"},
                {**row, "number": "2", "parent": "1"},
                {**row, "number": "3", "parent": "3"},
                {**row, "number": "4"},
            ]
        )
        response = await post(client, "tasks", body, atomic=False)
        assert response.json()["created"] == 1, response.text
        assert [(e["row"], e["code"]) for e in response.json()["errors"]] == [
            (1, "cycle"),
            (2, "cycle"),
            (3, "invalid"),  # naming itself is said once, not also as a loop
        ]

    async def test_a_chain_deeper_than_the_limit_is_refused(self, client: AsyncClient) -> None:
        rows = [{"code": "T-D0", "name": "0"}]
        rows += [{"code": f"T-D{i}", "name": str(i), "parent": f"T-D{i - 1}"} for i in range(1, 67)]
        problem = assert_problem(await post(client, "units", ndjson(rows)), 422, "invalid_rows")
        # T-D64 has 64 levels above it (allowed), T-D65 and T-D66 more
        assert [(e["row"], e["code"]) for e in problem["errors"]] == [
            (66, "too_deep"),
            (67, "too_deep"),
        ]

    async def test_children_of_an_invalid_new_parent_are_not_written(
        self, client: AsyncClient, db: AsyncSession
    ) -> None:
        csv = (
            "code,name,kind,parent\n"
            "T-BAD,坏组,group,T-NOWHERE\n"
            "T-KID,成员,society,T-BAD\n"
            "T-GRANDKID,成员,society,T-KID\n"
            "T-FINE,好,society,\n"
        ).encode()
        response = await post(client, "units", csv, "text/csv", atomic=False)
        assert response.json()["created"] == 1, response.text
        assert [(e["row"], e["code"]) for e in response.json()["errors"]] == [
            (1, "not_found"),
            (2, "parent_invalid"),
            (3, "parent_invalid"),
        ]
        codes = set(await db.scalars(select(Unit.code).where(Unit.code.like("T-%"))))
        assert codes == {"T-FINE"}


class TestIdempotency:
    async def test_same_key_replays_the_summary(
        self, client: AsyncClient, db: AsyncSession, setup: Setup
    ) -> None:
        body = ndjson([setup.row(0)])
        headers = {"Content-Type": "application/x-ndjson", "Idempotency-Key": "bulk-1"}
        first = await client.post(f"{URL}/indicator-reports", content=body, headers=headers)
        second = await client.post(f"{URL}/indicator-reports", content=body, headers=headers)
        assert second.headers.get("idempotent-replayed") == "true"
        assert second.json() == first.json()
        assert int(await db.scalar(select(func.count()).select_from(IndicatorReport)) or 0) == 1

    async def test_same_bytes_in_another_format_are_another_request(
        self, client: AsyncClient, setup: Setup
    ) -> None:
        body = b"plan,indicator,unit,period,value\n"
        first = await client.post(
            f"{URL}/indicator-reports",
            content=body,
            headers={"Content-Type": "text/csv", "Idempotency-Key": "bulk-2"},
        )
        again = await client.post(
            f"{URL}/indicator-reports",
            content=body,
            headers={"Content-Type": "text/csv; charset=gb18030", "Idempotency-Key": "bulk-2"},
        )
        assert first.status_code == 200, first.text
        assert "idempotent-replayed" not in again.headers  # not mistaken for a replay
        assert again.status_code == 422
