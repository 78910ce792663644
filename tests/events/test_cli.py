"""`luoshi events tail` against a running service over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from app import cli, remote
from tests.helpers import served_over_http
from tests.test_cli import Service


@pytest.fixture
def service(own_database: str) -> Iterator[Service]:
    key = f"lsk_tail_{uuid.uuid4().hex}"
    with served_over_http(own_database, key, bulk_worker=False) as url:
        yield Service(url, key)


def create_units(service: Service, *codes: str) -> None:
    for code in codes:
        response = httpx.post(
            f"{service.url}/api/v1/units",
            json={"code": code, "name": code, "kind": "department"},
            headers={"Authorization": f"Bearer {service.key}"},
        )
        assert response.status_code == 201, response.text


def settle(service: Service, count: int) -> None:
    """Until ``count`` unit events are in the feed (another database's transaction on the shared
    server can hold the feed back for a moment)."""
    seen: list[Any] = []
    cursor: dict[str, str] = {}
    for _ in range(30):
        page = service.get("/api/v1/events", type="unit.created", wait=2, **cursor)
        seen += page["items"]
        cursor = {"after": page["next_cursor"]}
        if len(seen) >= count:
            return
    raise AssertionError("the feed never showed the units")


def tail(service: Service, *args: str) -> Any:
    return CliRunner().invoke(
        cli.cli, ["events", "tail", *args, "--url", service.url, "--key", service.key]
    )


def lines_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if "unit.created" in line]


class TestTail:
    def test_prints_one_line_an_event_and_resumes_from_the_cursor_it_gives(
        self, service: Service
    ) -> None:
        create_units(service, "T1", "T2")
        settle(service, 2)
        first = tail(service, "--no-follow", "--type", "unit.*")
        assert first.exit_code == 0, first.output
        assert [line.split()[1:2] for line in lines_of(first.stdout)] == [["unit.created"]] * 2
        assert "unit#" in first.stdout
        cursor = first.stderr.split("--after")[1].strip()

        create_units(service, "T3")
        settle(service, 3)
        again = tail(service, "--no-follow", "--type", "unit.*", "--after", cursor)
        assert again.exit_code == 0, again.output
        [line] = lines_of(again.stdout)  # only the new one: nothing repeated
        assert "unit.created" in line

    def test_ctrl_c_stops_cleanly_with_the_cursor_to_carry_on_from(
        self, service: Service, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        create_units(service, "C1")
        settle(service, 1)
        real_send = remote.send
        calls = 0

        async def send_then_interrupt(*args: Any, **kwargs: Any) -> httpx.Response:
            nonlocal calls
            calls += 1
            if calls > 1:  # the long poll after the first page: the person presses Ctrl-C
                raise KeyboardInterrupt
            return await real_send(*args, **kwargs)

        monkeypatch.setattr(remote, "send", send_then_interrupt)
        result = tail(service, "--type", "unit.created")
        assert result.exit_code == 0, result.output
        assert len(lines_of(result.stdout)) == 1
        assert "--after" in result.stderr
