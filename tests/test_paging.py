"""Every list is keyset-paged the same way: following `next_cursor` visits each record once and
ends with `null`, and a cursor the service did not issue is a 422 naming it."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.helpers import RESOURCES, assert_problem

Make = Callable[[AsyncSession], Awaitable[list[int]]]


async def _units(db: AsyncSession) -> list[int]:
    return [(await f.create_unit(db)).id for _ in range(5)]


async def _plans(db: AsyncSession) -> list[int]:
    return [(await f.create_plan(db)).id for _ in range(5)]


async def _tasks(db: AsyncSession) -> list[int]:
    plan = await f.create_plan(db)
    return [(await f.create_task(db, plan=plan)).id for _ in range(5)]


async def _responsibilities(db: AsyncSession) -> list[int]:
    task = await f.create_task(db)
    return [
        (await f.create_responsibility(db, task=task, unit=await f.create_unit(db))).id
        for _ in range(5)
    ]


async def _milestones(db: AsyncSession) -> list[int]:
    task = await f.create_task(db)
    return [(await f.create_milestone(db, task=task)).id for _ in range(5)]


async def _indicators(db: AsyncSession) -> list[int]:
    task = await f.create_task(db)
    return [(await f.create_indicator(db, task=task)).id for _ in range(5)]


async def _reports(db: AsyncSession) -> list[int]:
    indicator = await f.create_indicator(
        db,
        task=await f.create_task(db, plan=await f.create_plan(db, year=2024)),
        frequency="quarterly",
    )
    return [
        (await f.create_report(db, indicator=indicator, unit=await f.create_unit(db))).id
        for _ in range(5)
    ]


LISTS: dict[str, Make] = {
    "units": _units,
    "plans": _plans,
    "tasks": _tasks,
    "responsibilities": _responsibilities,
    "milestones": _milestones,
    "indicators": _indicators,
    "indicator-reports": _reports,
}


def test_every_plain_resource_is_paged_here() -> None:
    assert tuple(LISTS) == RESOURCES


@pytest.mark.parametrize("resource", LISTS)
async def test_following_cursors_visits_each_once(
    client: AsyncClient, db: AsyncSession, resource: str
) -> None:
    created = await LISTS[resource](db)
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    for _ in range(10):
        body = (await client.get(f"/api/v1/{resource}", params=params)).json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert body["next_cursor"] is None
    assert [i for i in seen if i in created] == sorted(created)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize("cursor", ["garbage", "!!!", "a", "x" * 300])
async def test_a_cursor_the_service_did_not_issue_is_422(
    client: AsyncClient, resource: str, cursor: str
) -> None:
    body = assert_problem(await client.get(f"/api/v1/{resource}", params={"cursor": cursor}), 422)
    assert "cursor" in body["detail"]
