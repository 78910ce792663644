"""Who may do what: every write route refuses a key whose role or unit does not allow it."""

import re
from datetime import date

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.deps import ALL_ROLES as ALL
from app.main import create_app
from tests.factories import (
    create_indicator,
    create_milestone,
    create_report,
    create_responsibility,
    create_task,
    create_unit,
)
from tests.helpers import ClientAs


def write_routes() -> list[tuple[str, str]]:
    """Every write operation of the API, from the OpenAPI document other systems read."""
    paths = create_app().openapi()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v1")
        for method in operations
        if method in ("post", "patch", "delete", "put")
    ]


def concrete(path: str) -> str:
    # "/api/v1/units/{unit_id}" → "/api/v1/units/1": any id will do, the role check is first.
    return re.sub(r"\{[^}]+\}", "1", path)


WRITES = write_routes()
SUPERVISOR_ONLY = [
    (m, p)
    for m, p in WRITES
    if not (
        p.startswith("/api/v1/indicator-reports")
        # Reporters upload their own reports in bulk; every other resource is 403 (tests/bulk).
        or p == "/api/v1/bulk/{resource}"
        or p.endswith("/progress-updates")
        # A reporter answers its own unit's reminders (tests/reminders).
        or p == "/api/v1/reminders/{reminder_id}/reply"
        or (m == "PATCH" and p.startswith(("/api/v1/tasks/", "/api/v1/milestones/")))
    )
]
ADMIN_ONLY = [(m, p) for m, p in WRITES if p.startswith("/api/v1/api-keys")]


class TestReaderWritesNothing:
    @pytest.mark.parametrize(("method", "path"), WRITES)
    async def test_every_write_is_403_for_a_reader(
        self, client_as: ClientAs, method: str, path: str
    ) -> None:
        async with client_as("reader") as reader:
            response = await reader.request(method, concrete(path), json={})
        assert response.status_code == 403, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"

    async def test_reader_reads(self, client_as: ClientAs) -> None:
        async with client_as("reader") as reader:
            assert (await reader.get("/api/v1/plans")).status_code == 200


class TestReporterWritesOnlyItsOwn:
    @pytest.mark.parametrize(("method", "path"), SUPERVISOR_ONLY)
    async def test_office_writes_are_403(
        self, client_as: ClientAs, db: AsyncSession, method: str, path: str
    ) -> None:
        unit = await create_unit(db)
        async with client_as("reporter", unit=unit) as reporter:
            response = await reporter.request(method, concrete(path), json={})
        assert response.status_code == 403, (method, path, response.text)

    @pytest.mark.parametrize(("method", "path"), ADMIN_ONLY)
    async def test_supervisor_cannot_manage_keys(
        self, client_as: ClientAs, method: str, path: str
    ) -> None:
        async with client_as("supervisor") as supervisor:
            response = await supervisor.request(method, concrete(path), json={})
        assert response.status_code == 403


@pytest.fixture
async def world(db: AsyncSession) -> dict[str, object]:
    """Unit A leads task TA; unit B leads task TB; group G (A's parent) takes part in TG."""
    group = await create_unit(db, kind="group", name="各全省学会")
    a = await create_unit(db, parent_id=group.id)
    b = await create_unit(db)
    ta = await create_task(db)
    tb = await create_task(db)
    tg = await create_task(db)
    await create_responsibility(db, task=ta, unit=a)
    await create_responsibility(db, task=tb, unit=b)
    await create_responsibility(db, task=tg, unit=group, role="participant")
    return {
        "a": a,
        "b": b,
        "ta": ta,
        "tb": tb,
        "tg": tg,
        "ia": await create_indicator(db, task=ta),
        "ib": await create_indicator(db, task=tb),
        "ig": await create_indicator(db, task=tg),
    }


def report(indicator: object, unit: object) -> dict[str, object]:
    return {"indicator_id": indicator.id, "unit_id": unit.id, "period": "2024Q2", "value": 5}  # type: ignore[attr-defined]


class TestReporterScope:
    async def test_reports_for_its_own_task(self, client_as: ClientAs, world: dict) -> None:  # type: ignore[type-arg]
        async with client_as("reporter", unit=world["a"]) as reporter:
            response = await reporter.post(
                "/api/v1/indicator-reports", json=report(world["ia"], world["a"])
            )
        assert response.status_code == 201, response.text

    async def test_reports_through_its_group(self, client_as: ClientAs, world: dict) -> None:  # type: ignore[type-arg]
        async with client_as("reporter", unit=world["a"]) as reporter:
            response = await reporter.post(
                "/api/v1/indicator-reports", json=report(world["ig"], world["a"])
            )
        assert response.status_code == 201, response.text

    async def test_not_for_another_unit(self, client_as: ClientAs, world: dict) -> None:  # type: ignore[type-arg]
        async with client_as("reporter", unit=world["a"]) as reporter:
            response = await reporter.post(
                "/api/v1/indicator-reports", json=report(world["ia"], world["b"])
            )
        assert response.status_code == 403

    async def test_not_on_a_task_its_unit_has_no_part_in(
        self, client_as: ClientAs, world: dict
    ) -> None:  # type: ignore[type-arg]
        async with client_as("reporter", unit=world["a"]) as reporter:
            response = await reporter.post(
                "/api/v1/indicator-reports", json=report(world["ib"], world["a"])
            )
        assert response.status_code == 403
        assert "not responsible" in response.json()["detail"]

    async def test_cannot_touch_another_units_report(
        self,
        client_as: ClientAs,
        world: dict,
        db: AsyncSession,  # type: ignore[type-arg]
    ) -> None:
        theirs = await create_report(db, indicator=world["ib"], unit=world["b"])
        async with client_as("reporter", unit=world["a"]) as reporter:
            patched = await reporter.patch(
                f"/api/v1/indicator-reports/{theirs.id}", json={"value": 1}
            )
            deleted = await reporter.delete(f"/api/v1/indicator-reports/{theirs.id}")
        assert patched.status_code == deleted.status_code == 403
        await db.refresh(theirs)
        assert float(theirs.value) == 50

    async def test_records_progress_on_its_task_but_not_the_title(
        self,
        client_as: ClientAs,
        world: dict,  # type: ignore[type-arg]
    ) -> None:
        url = f"/api/v1/tasks/{world['ta'].id}"
        async with client_as("reporter", unit=world["a"]) as reporter:
            progress = await reporter.patch(url, json={"status": "in_progress", "progress": 40})
            title = await reporter.patch(url, json={"title": "改个标题"})
            other = await reporter.patch(f"/api/v1/tasks/{world['tb'].id}", json={"progress": 10})
        assert progress.status_code == 200
        assert progress.json()["progress"] == 40
        assert title.status_code == 403
        assert other.status_code == 403

    async def test_marks_its_milestone_done(
        self,
        client_as: ClientAs,
        world: dict,
        db: AsyncSession,  # type: ignore[type-arg]
    ) -> None:
        mine = await create_milestone(db, task=world["ta"])
        theirs = await create_milestone(db, task=world["tb"])
        async with client_as("reporter", unit=world["a"]) as reporter:
            done = await reporter.patch(
                f"/api/v1/milestones/{mine.id}",
                json={"status": "completed", "completed_on": "2024-06-01"},
            )
            not_mine = await reporter.patch(
                f"/api/v1/milestones/{theirs.id}", json={"status": "completed"}
            )
            moved = await reporter.patch(
                f"/api/v1/milestones/{mine.id}", json={"due_on": "2024-12-31"}
            )
        assert done.status_code == 200
        assert done.json()["completed_on"] == str(date(2024, 6, 1))
        assert not_mine.status_code == 403
        assert moved.status_code == 403


class TestOfficeReportsLikeAUnit:
    """The office enters reports for units; a unit with no part in the task counts for nothing."""

    @pytest.mark.parametrize("role", ["supervisor", "admin"])
    async def test_reports_only_for_a_unit_responsible_for_the_task(
        self,
        client_as: ClientAs,
        world: dict,  # type: ignore[type-arg]
        role: str,
    ) -> None:
        async with client_as(role) as office:
            outside = await office.post(
                "/api/v1/indicator-reports", json=report(world["ib"], world["a"])
            )
            through_group = await office.post(
                "/api/v1/indicator-reports", json=report(world["ig"], world["a"])
            )
        assert outside.status_code == 422, outside.text
        assert outside.json()["code"] == "not_responsible"
        assert through_group.status_code == 201, through_group.text


class TestOpenApiNamesTheRoles:
    async def test_each_api_operation_lists_its_roles(self, anon: AsyncClient) -> None:
        doc = (await anon.get("/openapi.json")).json()
        for path, operations in doc["paths"].items():
            if not path.startswith("/api/v1"):
                continue
            for method, op in operations.items():
                assert op.get("x-roles"), f"{method} {path}"
                assert "Roles:" in op.get("description", ""), f"{method} {path}"
        assert doc["paths"]["/api/v1/api-keys"]["post"]["x-roles"] == ["admin"]
        assert doc["paths"]["/api/v1/units"]["get"]["x-roles"] == [
            "admin",
            "supervisor",
            "reporter",
            "reader",
        ]

    async def test_an_operation_closed_to_some_roles_documents_403(self, anon: AsyncClient) -> None:
        """A generated client learns from the document that a reporter's POST /plans is a 403."""
        doc = (await anon.get("/openapi.json")).json()
        undocumented = [
            f"{method.upper()} {path}"
            for path, operations in doc["paths"].items()
            for method, op in operations.items()
            if len(op.get("x-roles", ALL)) < len(ALL) and "403" not in op["responses"]
        ]
        assert undocumented == []
        assert "403" in doc["paths"]["/api/v1/plans"]["post"]["responses"]
