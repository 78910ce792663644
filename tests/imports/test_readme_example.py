"""The README's bulk example works on the seed notice as imported: the codes it uses are the
ones an office reads off the import (文号 and unit names), not ones it has to look up."""

from __future__ import annotations

import re
from pathlib import Path

from httpx import AsyncClient

from app.imports import texts
from tests.imports.test_router import all_items, import_seed

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_csv() -> bytes:
    text = README.read_text("utf-8")
    match = re.search(r"<<'CSV'\n(.*?)\nCSV\n", text, re.DOTALL)
    assert match, "the README has no bulk CSV example"
    return match.group(1).encode()


async def test_the_readme_bulk_example_uploads_on_the_imported_seed(
    client: AsyncClient,
) -> None:
    plan_id = (await import_seed(client))["plan_id"]
    plan = (await client.get(f"/api/v1/plans/{plan_id}")).json()
    units = {u["name"]: u["code"] for u in await all_items(client, "/api/v1/units")}
    assert plan["code"] == "YKXBF-2024-9"
    assert units["省科技馆"] == "SKJG"
    assert all(re.fullmatch(r"[A-Z0-9-]+", code) for code in units.values())
    response = await client.post(
        "/api/v1/bulk/indicator-reports",
        content=readme_csv(),
        headers={"Content-Type": "text/csv"},
        params={"atomic": "false"},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["failed"]) == (1, 0)


def test_the_readme_names_every_import_warning_code() -> None:
    """Other systems code against the warning codes: the README lists each one."""
    named = set(re.findall(r"`([a-z_]+)`", README.read_text("utf-8")))
    assert set(texts.WARNINGS) - named == set()
