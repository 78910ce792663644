"""A target nobody leads (零上访、零事故、零案件) is named on the dashboard, and once the office
gives it a reporter — a unit, or a group whose members each report — obligations follow."""

from decimal import Decimal

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_indicator, create_plan, create_task, create_unit
from tests.helpers import ClientAs, assert_problem

AS_OF = {"as_of": "2024-04-20"}  # the first quarter's reports were due 10 April


async def test_an_indicator_nobody_owes_is_named_and_can_be_given_to_a_groups_members(
    client: AsyncClient, db: AsyncSession, client_as: ClientAs
) -> None:
    plan = await create_plan(db, year=2024)
    task = await create_task(db, plan=plan, number="17", title="维护安全稳定")
    zero = await create_indicator(
        db, task=task, code="WP17-1", name="零上访", comparator="lte",
        target_value=Decimal(0), frequency="quarterly",
    )  # fmt: skip
    group = await create_unit(db, name="机关各部室", kind="group")
    a = await create_unit(db, name="办公室", parent_id=group.id)
    b = await create_unit(db, name="组织人事部", parent_id=group.id)
    outsider = await create_unit(db, name="省科技馆")

    board = (await client.get(f"/api/v1/plans/{plan.id}/dashboard", params=AS_OF)).json()
    assert board["unowned_indicators"] == [
        {
            "indicator_id": zero.id,
            "code": "WP17-1",
            "name": "零上访",
            "task_id": task.id,
            "task_number": "17",
        }
    ]
    assert board["obligations"]["by_status"]["overdue"] == 0  # nobody owes it, so nothing shows

    current = (await client.get(f"/api/v1/indicators/{zero.id}")).json()
    given = await client.patch(
        f"/api/v1/indicators/{zero.id}",
        json={"reporter_unit_id": group.id},
        headers={"If-Match": f'"{current["version"]}"'},
    )
    assert given.status_code == 200, given.text
    assert given.json()["reporter_unit_id"] == group.id

    board = (await client.get(f"/api/v1/plans/{plan.id}/dashboard", params=AS_OF)).json()
    assert board["unowned_indicators"] == []
    owed = (await client.get(f"/api/v1/plans/{plan.id}/obligations", params=AS_OF)).json()
    overdue = {(o["unit_id"], o["period"]) for o in owed["items"] if o["status"] == "overdue"}
    assert overdue == {(a.id, "2024Q1"), (b.id, "2024Q1")}  # each member, not the group

    # A member may report it although it has no part in the task; an outsider may not.
    report = {"indicator_id": zero.id, "period": "2024Q1", "value": 0}
    for unit, allowed in ((a, True), (outsider, False)):
        async with client_as("reporter", unit=unit, name="填报") as reporter:
            response = await reporter.post(
                "/api/v1/indicator-reports", json={**report, "unit_id": unit.id}
            )
        if allowed:
            assert response.status_code == 201, response.text
        else:
            assert_problem(response, 403)
    owed = (await client.get(f"/api/v1/units/{a.id}/obligations", params=AS_OF)).json()
    assert [o["status"] for o in owed["items"] if o["period"] == "2024Q1"] == ["submitted"]


async def test_a_reporter_that_does_not_exist_is_refused(
    client: AsyncClient, db: AsyncSession
) -> None:
    task = await create_task(db)
    indicator = await create_indicator(db, task=task)
    current = (await client.get(f"/api/v1/indicators/{indicator.id}")).json()
    response = await client.patch(
        f"/api/v1/indicators/{indicator.id}",
        json={"reporter_unit_id": 987654321},
        headers={"If-Match": f'"{current["version"]}"'},
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["pointer"] == "#/reporter_unit_id"
