"""One meaning of `as_of` and `known_at` everywhere: every overview of the same data agrees with
every other, and a page printed at a moment prints again, identical, after the data moved on.

The writes really commit (a served app on a database of its own), so each has its own time and
`known_at` falls between them, as it does for an office.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from httpx import AsyncClient

from app.tasks.texts import KIND
from tests.helpers import assert_problem, served
from tests.imports.test_router import all_items, import_seed

DAYS = ("2024-03-31", "2024-06-30", "2024-07-20", "2025-01-15")
ADMIN = "consistency-admin-key-0123456789abcdef"


async def ok(response: Any) -> Any:
    assert response.status_code in (200, 201, 204), response.text
    return response.json() if response.status_code != 204 else None


async def moment() -> datetime:
    """A time strictly between the writes before and the writes after it."""
    await asyncio.sleep(0.05)
    now = datetime.now(UTC)
    await asyncio.sleep(0.05)
    return now


def judged(as_of: str, known_at: datetime | None) -> dict[str, str]:
    return {"as_of": as_of} | ({"known_at": known_at.isoformat()} if known_at else {})


async def views(client: AsyncClient, plan_id: int, unit_ids: list[int], params: dict) -> dict:  # type: ignore[type-arg]
    """Everything the office reads about the plan at one (`as_of`, `known_at`)."""
    ledger = await client.get(f"/api/v1/plans/{plan_id}/ledger", params={**params, "format": "csv"})
    assert ledger.status_code == 200, ledger.text
    return {
        "dashboard": await ok(
            await client.get(f"/api/v1/plans/{plan_id}/dashboard", params=params)
        ),
        "obligations": await all_items(client, f"/api/v1/plans/{plan_id}/obligations", **params),
        "scorecards": {
            u: await ok(await client.get(f"/api/v1/units/{u}/scorecard", params=params))
            for u in unit_ids
        },
        "ledger": ledger.content,
    }


async def test_every_overview_agrees_and_a_printed_moment_prints_again(own_database: str) -> None:
    async with served(own_database, ADMIN) as client:
        plan_id = (await import_seed(client))["plan_id"]
        reviewer = (
            await ok(
                await client.post("/api/v1/api-keys", json={"name": "复核", "role": "supervisor"})
            )
        )["key"]
        indicators = await all_items(client, "/api/v1/indicators", plan_id=plan_id)
        leads: dict[int, int] = {}
        for r in await all_items(client, "/api/v1/responsibilities", role="lead"):
            leads.setdefault(r["task_id"], r["unit_id"])
        owed = [i for i in indicators if i["task_id"] in leads][:3]
        assert len(owed) == 3, "the seed has indicators with lead units"
        a, b, c = owed
        await ok(
            await client.patch(f"/api/v1/indicators/{a['id']}", json={"frequency": "quarterly"})
        )

        async def report(indicator: dict, period: str, value: float, **extra: Any) -> dict:  # type: ignore[type-arg]
            body = {
                "indicator_id": indicator["id"],
                "unit_id": leads[indicator["task_id"]],
                "period": period,
                "value": value,
                **extra,
            }
            return await ok(await client.post("/api/v1/indicator-reports", json=body))  # type: ignore[no-any-return]

        async def review(report_id: int, decision: str) -> None:
            await ok(
                await client.post(
                    f"/api/v1/indicator-reports/{report_id}/review",
                    json={"decision": decision, "comment": ""},
                    headers={"Authorization": f"Bearer {reviewer}"},
                )
            )

        async def note(task_id: int, period: str, done: str) -> None:
            body = {"unit_id": leads[task_id], "period": period, "done": done, "percent": 30}
            await ok(await client.post(f"/api/v1/tasks/{task_id}/progress-updates", json=body))

        # What the office has by the first moment.
        q1 = await report(a, "2024Q1", 10)
        q2 = await report(a, "2024Q2", 20)
        await review(q2["id"], "approve")
        draft = await report(b, "2024", 5, status="draft")
        gone = await report(c, "2024", 7)
        await note(a["task_id"], "2024Q1", "一季度：完成10场")
        first = await moment()

        units = sorted({leads[i["task_id"]] for i in owed})
        printed = {d: await views(client, plan_id, units, judged(d, first)) for d in DAYS}
        current = {d: await views(client, plan_id, units, judged(d, None)) for d in DAYS}
        for d in DAYS:  # nothing has moved since: the past and the present read the same
            assert printed[d]["ledger"] == current[d]["ledger"]
            assert printed[d]["obligations"] == current[d]["obligations"]

        # The data moves on: a corrected value, a reopened approval, a draft put forward, a
        # report withdrawn, a new period, newer notes.
        q1 = await ok(await client.get(f"/api/v1/indicator-reports/{q1['id']}"))
        await ok(
            await client.patch(
                f"/api/v1/indicator-reports/{q1['id']}",
                json={"value": 15},
                headers={"If-Match": f'"{q1["version"]}"'},
            )
        )
        await review(q2["id"], "reopen")
        await ok(
            await client.patch(
                f"/api/v1/indicator-reports/{draft['id']}",
                json={"status": "submitted"},
                headers={"If-Match": f'"{draft["version"]}"'},
            )
        )
        await ok(
            await client.delete(
                f"/api/v1/indicator-reports/{gone['id']}",
                headers={"If-Match": f'"{gone["version"]}"'},
            )
        )
        await report(a, "2024Q3", 30)
        await note(a["task_id"], "2024Q1", "一季度更正：完成15场")
        await note(a["task_id"], "2024Q3", "三季度：完成30场")
        second = await moment()

        for d in DAYS:
            again = await views(client, plan_id, units, judged(d, first))
            assert again == printed[d], f"the page printed at the first moment, as of {d}"
            for known_at in (first, second, None):
                await agree(client, plan_id, units, d, known_at)

        # A note counts by the period it is for, like a report, whenever it was written.
        # The third-quarter note is not counted on June 30, whenever it was written.
        task_a = await ok(await client.get(f"/api/v1/tasks/{a['task_id']}"))
        now = await views(client, plan_id, units, judged("2024-06-30", None))
        latest = row_of(ledger_rows(now["ledger"]), task_a)["最新进展"]
        assert latest == "[2024Q1] 一季度更正：完成15场"
        latest = row_of(ledger_rows(printed["2024-06-30"]["ledger"]), task_a)["最新进展"]
        assert latest == "[2024Q1] 一季度：完成10场"


def ledger_rows(body: bytes) -> dict[tuple[str, str], dict[str, str]]:
    """The ledger's rows by (kind, number), which name a task in its plan."""
    header, *lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return {(line[1], line[0]): dict(zip(header, line, strict=True)) for line in lines}


def row_of(rows: dict[tuple[str, str], dict[str, str]], task: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return rows[KIND[task["kind"]][0], task["number"]]


async def agree(
    client: AsyncClient, plan_id: int, units: list[int], as_of: str, known_at: datetime | None
) -> None:
    """Each figure read in two places is the same in both."""
    params = judged(as_of, known_at)
    seen = await views(client, plan_id, units, params)
    board, obligations = seen["dashboard"], seen["obligations"]
    where = f"as_of {as_of}, known_at {known_at}"

    statuses = Counter(o["status"] for o in obligations)
    assert {k: v for k, v in board["obligations"]["by_status"].items() if v} == dict(statuses), (
        where
    )
    overdue = Counter(o["unit_id"] for o in obligations if o["status"] == "overdue")
    assert {u["unit_id"]: u["overdue"] for u in board["obligations"]["overdue_by_unit"]} == overdue

    progress = [
        await ok(await client.get(f"/api/v1/indicators/{i['id']}/progress", params=params))
        for i in await all_items(client, "/api/v1/indicators", plan_id=plan_id)
    ]
    by_status = Counter(p["status"] for p in progress)
    assert {k: v for k, v in board["indicators"]["by_status"].items() if v} == dict(by_status)

    health = {}
    for line in board["key_tasks"]:
        one = await ok(await client.get(f"/api/v1/tasks/{line['task_id']}/health", params=params))
        health[line["task_id"]] = one
        assert (line["health"], line["reasons"]) == (one["status"], one["reasons"]), where

    day = date.fromisoformat(as_of)
    for unit_id, card in seen["scorecards"].items():
        mine = await all_items(client, f"/api/v1/units/{unit_id}/obligations", **params)
        assert mine == [o for o in obligations if o["unit_id"] == unit_id], where
        past_due = [o for o in mine if date.fromisoformat(o["due_on"]) < day]
        record = card["reporting"]
        assert record["owed"] == len(past_due), where
        assert record["on_time"] == sum(o["on_time"] is True for o in past_due), where
        assert record["late"] == sum(o["on_time"] is False for o in past_due), where
        assert record["missing"] == sum(o["on_time"] is None for o in past_due), where
        assert [(r["indicator_id"], r["period"]) for r in card["overdue_reports"]] == [
            (o["indicator_id"], o["period"]) for o in mine if o["status"] == "overdue"
        ], where
        # A report put forward is never also missing: status and punctuality come together.
        for o in mine:
            assert (o["status"] in ("submitted", "approved", "returned")) == (
                o["on_time"] is not None
            ), o

    rows = ledger_rows(seen["ledger"])
    labels = {"green": "正常", "amber": "预警", "red": "滞后"}
    for line in board["key_tasks"]:
        cells = row_of(rows, line)
        assert cells["健康度"] == labels[health[line["task_id"]]["status"]], where
        assert cells["预警说明"].split("\n") == [r for r in line["reasons"] if r] or [""], where
    tasks = {t["id"]: t for t in await all_items(client, "/api/v1/tasks", plan_id=plan_id)}
    indicators = {
        i["id"]: i for i in await all_items(client, "/api/v1/indicators", plan_id=plan_id)
    }
    for p in progress:
        indicator = indicators[p["indicator_id"]]
        cells = row_of(rows, tasks[indicator["task_id"]])
        names = cells["指标"].split("\n")
        actuals = cells["完成值"].split("\n")
        shown = actuals[names.index(indicator["name"])]
        expected = "" if p["actual"] is None else f"{p['actual']:g}{indicator['unit_label']}"
        assert shown == expected, (where, shown, p)


class TestKnownAtParameter:
    async def test_a_date_means_the_end_of_that_day_in_the_offices_zone(
        self, client: AsyncClient
    ) -> None:
        plan = await ok(
            await client.post("/api/v1/plans", json={"code": "P-K", "title": "计划", "year": 2024})
        )
        board = await ok(
            await client.get(
                f"/api/v1/plans/{plan['id']}/dashboard",
                params={"as_of": "2024-06-30", "known_at": "2024-06-30"},
            )
        )
        # Asia/Shanghai: the end of June 30 is 15:59:59.999999 UTC.
        assert board["known_at"] == "2024-06-30T15:59:59.999999Z"

    @pytest.mark.parametrize("bad", ["yesterday", "1719763200", "2024-02-30", "9999-12-31"])
    async def test_a_time_that_is_not_one_is_refused(self, client: AsyncClient, bad: str) -> None:
        response = await client.get("/api/v1/units/1/obligations", params={"known_at": bad})
        body = assert_problem(response, 422)
        assert "known_at" in str(body["errors"])
