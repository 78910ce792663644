"""The office reviews reports: approve locks, return sends back with a reason, reopen unlocks;
every change is kept as history."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_indicator, create_responsibility, create_task, create_unit
from tests.helpers import ClientAs


@pytest.fixture
async def reporter(
    client_as: ClientAs, db: AsyncSession
) -> AsyncIterator[tuple[AsyncClient, dict]]:  # type: ignore[type-arg]
    unit = await create_unit(db)
    task = await create_task(db)
    await create_responsibility(db, task=task, unit=unit)
    indicator = await create_indicator(db, task=task)
    async with client_as("reporter", unit=unit, name="科技馆填报") as client:
        yield (
            client,
            {"indicator_id": indicator.id, "unit_id": unit.id, "period": "2024Q1", "value": 40},
        )


async def submit(reporter: tuple[AsyncClient, dict]) -> dict:  # type: ignore[type-arg]
    client, body = reporter
    response = await client.post("/api/v1/indicator-reports", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def review(client: AsyncClient, report_id: int, decision: str, comment: str = "") -> object:
    return await client.post(
        f"/api/v1/indicator-reports/{report_id}/review",
        json={"decision": decision, "comment": comment},
    )


class TestWorkflow:
    async def test_approve_locks_until_reopened(self, client: AsyncClient, reporter: tuple) -> None:  # type: ignore[type-arg]
        report = await submit(reporter)
        approved = await review(client, report["id"], "approve")
        assert approved.status_code == 200, approved.text  # type: ignore[attr-defined]
        assert approved.json()["status"] == "approved"  # type: ignore[attr-defined]
        unit_client, _ = reporter
        locked = await unit_client.patch(
            f"/api/v1/indicator-reports/{report['id']}", json={"value": 41}
        )
        assert locked.status_code == 409
        reopened = await review(client, report["id"], "reopen")
        assert reopened.json()["status"] == "submitted"  # type: ignore[attr-defined]
        fixed = await unit_client.patch(
            f"/api/v1/indicator-reports/{report['id']}", json={"value": 41}
        )
        assert fixed.status_code == 200

    async def test_returned_report_is_corrected_and_submitted_again(
        self,
        client: AsyncClient,
        reporter: tuple,  # type: ignore[type-arg]
    ) -> None:
        report = await submit(reporter)
        returned = await review(client, report["id"], "return", "请附统计表")
        assert returned.json()["status"] == "returned"  # type: ignore[attr-defined]
        assert returned.json()["review_comment"] == "请附统计表"  # type: ignore[attr-defined]
        unit_client, _ = reporter
        corrected = await unit_client.patch(
            f"/api/v1/indicator-reports/{report['id']}", json={"value": 45, "note": "已附"}
        )
        assert corrected.json()["status"] == "submitted"

    async def test_return_needs_a_reason(self, client: AsyncClient, reporter: tuple) -> None:  # type: ignore[type-arg]
        report = await submit(reporter)
        response = await review(client, report["id"], "return")
        assert response.status_code == 422  # type: ignore[attr-defined]

    @pytest.mark.parametrize("decision", ["approve", "return"])
    async def test_only_submitted_reports_are_decided(
        self,
        client: AsyncClient,
        reporter: tuple,
        decision: str,  # type: ignore[type-arg]
    ) -> None:
        unit_client, body = reporter
        draft = (
            await unit_client.post("/api/v1/indicator-reports", json={**body, "status": "draft"})
        ).json()
        response = await review(client, draft["id"], decision, "x")
        assert response.status_code == 409  # type: ignore[attr-defined]

    async def test_reopen_applies_to_approved_only(
        self, client: AsyncClient, reporter: tuple
    ) -> None:  # type: ignore[type-arg]
        report = await submit(reporter)
        assert (await review(client, report["id"], "reopen")).status_code == 409  # type: ignore[attr-defined]


class TestWhoReviews:
    async def test_reporter_cannot_approve_its_own_report(self, reporter: tuple) -> None:  # type: ignore[type-arg]
        report = await submit(reporter)
        unit_client, _ = reporter
        response = await review(unit_client, report["id"], "approve")
        assert response.status_code == 403  # type: ignore[attr-defined]

    async def test_whoever_entered_the_value_may_not_approve_it(
        self,
        client: AsyncClient,
        reporter: tuple,  # type: ignore[type-arg]
    ) -> None:
        _, body = reporter
        entered = (await client.post("/api/v1/indicator-reports", json=body)).json()
        response = await review(client, entered["id"], "approve")
        assert response.status_code == 403  # type: ignore[attr-defined]
        assert "another reviewer" in response.json()["detail"]  # type: ignore[attr-defined]


class TestHistory:
    async def test_history_shows_who_changed_what_and_the_comments(
        self,
        client: AsyncClient,
        reporter: tuple,  # type: ignore[type-arg]
    ) -> None:
        report = await submit(reporter)
        await review(client, report["id"], "return", "数值偏低，请核实")
        unit_client, _ = reporter
        await unit_client.patch(f"/api/v1/indicator-reports/{report['id']}", json={"value": 52})
        await review(client, report["id"], "approve")
        await review(client, report["id"], "reopen")
        history = (await client.get(f"/api/v1/indicator-reports/{report['id']}/history")).json()[
            "items"
        ]
        # Each review decision is named; the unit's correction between them is an update.
        assert [h["action"] for h in history] == ["create", "return", "update", "approve", "reopen"]
        assert [h["actor_name"] for h in history] == [
            "科技馆填报",
            "test admin",
            "科技馆填报",
            "test admin",
            "test admin",
        ]
        assert history[1]["changes"]["status"] == ["submitted", "returned"]
        assert history[1]["changes"]["review_comment"] == ["", "数值偏低，请核实"]
        assert history[2]["changes"]["value"] == [40.0, 52.0]
        assert history[3]["changes"]["status"] == ["submitted", "approved"]

    async def test_history_of_a_missing_report_is_404(self, client: AsyncClient) -> None:
        assert (await client.get("/api/v1/indicator-reports/999999/history")).status_code == 404
