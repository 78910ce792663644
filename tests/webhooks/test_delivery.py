"""Deliveries to a real HTTP receiver, verified with the reference Standard Webhooks library."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from httpx import AsyncClient
from sqlalchemy import text
from standardwebhooks import Webhook, WebhookVerificationError

from app.webhooks import delivery
from app.webhooks.schemas import WebhookMessage
from tests.helpers import assert_problem, served_app
from tests.webhooks.receiver import Receiver, receiver

ADMIN = "hooks-admin-secret-000000000000000000"
HOOKS = "/api/v1/webhook-endpoints"
FAST = {
    "webhook_allowed_networks": "127.0.0.1/32",
    "webhook_poll_seconds": 0.05,
    "webhook_timeout_seconds": 2.0,
}


@pytest.fixture
async def client(own_database: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[AsyncClient]:
    monkeypatch.setattr(delivery, "RETRY_DELAYS", (0.1, 0.1, 0.1, 0.1))
    async with served_app(own_database, ADMIN, **FAST) as (_, client):
        yield client


@pytest.fixture
def hook() -> Any:
    with receiver() as r:
        yield r


async def register(client: AsyncClient, url: str, **body: Any) -> dict[str, Any]:
    response = await client.post(HOOKS, json={"url": url, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def create_unit(client: AsyncClient, code: str) -> int:
    response = await client.post(
        "/api/v1/units", json={"code": code, "name": f"单位{code}", "kind": "department"}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def received(hook: Receiver, count: int) -> list[Any]:
    return await asyncio.to_thread(hook.wait_for, count)


def verified(secret: str, request: Any) -> dict[str, Any]:
    """The payload, once the reference library accepts its signature."""
    return Webhook(secret).verify(request.body, request.headers)  # type: ignore[no-any-return]


async def deliveries(client: AsyncClient, endpoint_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"{HOOKS}/{endpoint_id}/deliveries")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def settled(client: AsyncClient, endpoint_id: int, count: int) -> list[dict[str, Any]]:
    """The deliveries, once ``count`` of them are no longer pending."""
    for _ in range(300):
        items = await deliveries(client, endpoint_id)
        if sum(item["status"] != "pending" for item in items) >= count:
            return items
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries did not settle: {items}")


class TestSignedDelivery:
    async def test_a_change_reaches_the_receiver_signed(
        self, client: AsyncClient, hook: Receiver
    ) -> None:
        endpoint = await register(client, hook.url, event_types=["unit.*"])
        assert endpoint["secret"].startswith("whsec_")
        unit_id = await create_unit(client, "A1")
        (request,) = await received(hook, 1)
        payload = verified(endpoint["secret"], request)
        assert payload["type"] == "unit.created"
        assert payload["data"]["entity"] == {"type": "unit", "id": unit_id}
        assert request.headers["webhook-id"].startswith("msg_")
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 44).verify(request.body, request.headers)
        (item,) = await settled(client, endpoint["id"], 1)
        assert item["status"] == "succeeded"
        assert item["attempts"] == 1
        assert item["response_status"] == 204
        assert item["latency_ms"] >= 0

    async def test_the_secret_is_shown_once(self, client: AsyncClient, hook: Receiver) -> None:
        endpoint = await register(client, hook.url)
        shown = (await client.get(f"{HOOKS}/{endpoint['id']}")).json()
        listed = (await client.get(HOOKS)).json()
        assert "secret" not in shown
        assert endpoint["secret"] not in orjson.dumps(listed).decode()

    async def test_unsubscribed_events_are_not_sent(
        self, client: AsyncClient, hook: Receiver
    ) -> None:
        endpoint = await register(client, hook.url, event_types=["plan.*"])
        await create_unit(client, "B1")
        await client.post(f"{HOOKS}/{endpoint['id']}/test")
        (request,) = await received(hook, 1)
        assert verified(endpoint["secret"], request)["type"] == "webhook.test"
        await asyncio.sleep(0.3)
        assert len(hook.requests) == 1

    async def test_the_sender_wakes_when_a_change_commits_not_on_its_next_poll(
        self, own_database: str, hook: Receiver
    ) -> None:
        slow = {**FAST, "webhook_poll_seconds": 60}
        async with served_app(own_database, ADMIN, **slow) as (_, client):
            endpoint = await register(client, hook.url, event_types=["unit.created"])
            await asyncio.sleep(0.5)  # the sender has looked and gone idle for a minute
            await create_unit(client, "W1")
            (request,) = await received(hook, 1)  # within 15 s, long before the minute
        assert verified(endpoint["secret"], request)["type"] == "unit.created"


class TestRetries:
    async def test_failures_are_retried_in_order(self, client: AsyncClient, hook: Receiver) -> None:
        hook.reply = lambda n, r: (500 if n < 2 else 204, {}, b"", 0.0)
        endpoint = await register(client, hook.url, event_types=["unit.created"])
        first = await create_unit(client, "C1")
        second = await create_unit(client, "C2")
        requests = await received(hook, 4)
        ids = [verified(endpoint["secret"], r)["data"]["entity"]["id"] for r in requests]
        assert ids == [first, first, first, second]  # the second waited for the first
        assert len({r.headers["webhook-id"] for r in requests[:3]}) == 1
        items = await settled(client, endpoint["id"], 2)
        assert [(i["status"], i["attempts"]) for i in items] == [("succeeded", 3), ("succeeded", 1)]

    async def test_giving_up_leaves_a_failed_delivery(
        self, client: AsyncClient, hook: Receiver
    ) -> None:
        hook.reply = lambda n, r: (503, {}, b"", 0.0)
        endpoint = await register(client, hook.url)
        await client.post(f"{HOOKS}/{endpoint['id']}/test")
        (item,) = await settled(client, endpoint["id"], 1)
        assert item["status"] == "failed"
        assert item["attempts"] == len(delivery.RETRY_DELAYS) + 1
        assert item["response_status"] == 503
        again = await client.post(f"{HOOKS}/{endpoint['id']}/deliveries/{item['id']}/retry")
        assert again.status_code == 202, again.text
        hook.reply = lambda n, r: (204, {}, b"", 0.0)
        await settled(client, endpoint["id"], 1)
        items = await settled(client, endpoint["id"], 1)
        assert items[0]["status"] in {"pending", "succeeded"}

    async def test_410_disables_the_endpoint(self, client: AsyncClient, hook: Receiver) -> None:
        hook.reply = lambda n, r: (410, {}, b"", 0.0)
        endpoint = await register(client, hook.url)
        await client.post(f"{HOOKS}/{endpoint['id']}/test")
        (item,) = await settled(client, endpoint["id"], 1)
        assert item["status"] == "failed"
        shown = (await client.get(f"{HOOKS}/{endpoint['id']}")).json()
        assert shown["enabled"] is False
        assert "410" in shown["disabled_reason"]


class TestRotation:
    async def test_old_and_new_secrets_both_sign_after_a_rotation(
        self, client: AsyncClient, hook: Receiver
    ) -> None:
        endpoint = await register(client, hook.url)
        rotated = await client.post(f"{HOOKS}/{endpoint['id']}/rotate-secret")
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != endpoint["secret"]
        assert rotated.json()["previous_secret_expires_at"]
        await client.post(f"{HOOKS}/{endpoint['id']}/test")
        (request,) = await received(hook, 1)
        assert verified(new, request)["type"] == "webhook.test"
        assert verified(endpoint["secret"], request)["type"] == "webhook.test"


class TestOutboundSafety:
    async def test_redirects_are_not_followed_and_bodies_not_kept(
        self, client: AsyncClient, hook: Receiver
    ) -> None:
        hook.reply = lambda n, r: (302, {"location": hook.url + "/elsewhere"}, b"TOP-SECRET", 0)
        endpoint = await register(client, hook.url)
        await client.post(f"{HOOKS}/{endpoint['id']}/test")
        await settled(client, endpoint["id"], 1)
        assert {r.path for r in hook.requests} == {"/hooks"}
        listing = (await client.get(f"{HOOKS}/{endpoint['id']}/deliveries")).text
        assert "TOP-SECRET" not in listing
        assert "redirect" in listing

    async def test_a_slow_receiver_times_out(self, client: AsyncClient, hook: Receiver) -> None:
        hook.reply = lambda n, r: (204, {}, b"", 3.0 if n == 0 else 0.0)
        endpoint = await register(client, hook.url)
        await client.post(f"{HOOKS}/{endpoint['id']}/test")
        items = await settled(client, endpoint["id"], 1)
        assert items[0]["attempts"] >= 2  # the first attempt timed out after 2 s

    async def test_a_name_for_an_unlisted_address_is_refused_when_sent(
        self, own_database: str, hook: Receiver, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(delivery, "RETRY_DELAYS", (0.1,))
        port = hook.url.split(":")[2].split("/")[0]
        settings = {**FAST, "webhook_allowed_networks": ""}
        async with served_app(own_database, ADMIN, **settings) as (_, client):
            endpoint = await register(client, f"http://localhost:{port}/hooks")
            await client.post(f"{HOOKS}/{endpoint['id']}/test")
            items = await settled(client, endpoint["id"], 1)
        assert hook.requests == []
        assert items[0]["status"] == "failed"
        assert "refused" in items[0]["last_error"]

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.2/hooks",  # loopback, but not the listed 127.0.0.1/32
            "http://169.254.169.254/latest/meta-data",  # the cloud metadata service
            "http://10.1.2.3/hooks",  # private, unlisted
            "http://[::1]/hooks",
            "ftp://example.gov.cn/hooks",
            "http://user:pw@example.gov.cn/hooks",
        ],
    )
    async def test_unsafe_urls_are_refused_when_registered(
        self, client: AsyncClient, url: str
    ) -> None:
        assert_problem(await client.post(HOOKS, json={"url": url}), 422)


class TestNothingIsLost:
    async def test_deliveries_queued_before_a_restart_go_out_after_it(
        self, own_database: str, hook: Receiver
    ) -> None:
        async with served_app(own_database, ADMIN, **FAST, webhook_worker=False) as (_, client):
            endpoint = await register(client, hook.url, event_types=["unit.created"])
            await create_unit(client, "R1")
            await client.post(f"{HOOKS}/{endpoint['id']}/test")
        assert hook.requests == []
        async with served_app(own_database, ADMIN, **FAST) as (_, client):
            requests = await received(hook, 2)
        types = [verified(endpoint["secret"], r)["type"] for r in requests]
        assert sorted(types) == ["unit.created", "webhook.test"]


class TestBulkUploads:
    """A bulk upload is one call to a receiver that did not ask for its records, and a few
    batches to one that did — not a call per row."""

    ROWS = 1_200  # over two fan-out pages

    async def upload_units(self, client: AsyncClient) -> dict[str, Any]:
        body = b"\n".join(
            orjson.dumps({"code": f"U{n:05d}", "name": f"单位{n}"}) for n in range(self.ROWS)
        )
        response = await client.post(
            "/api/v1/bulk/units",
            content=body,
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def test_each_endpoint_hears_of_an_upload_as_it_subscribed(
        self, client: AsyncClient, hook: Receiver
    ) -> None:
        every = await register(client, hook.url + "/every")
        units = await register(client, hook.url + "/units", event_types=["unit.*"])
        both = await register(
            client, hook.url + "/both", event_types=["unit.created", "bulk_upload.completed"]
        )
        await self.upload_units(client)
        after = await create_unit(client, "AFTER")
        # every: 1 + 1; units: 3 batches + 1; both: 3 batches + the upload + 1
        await received(hook, 2 + 4 + 5)
        await asyncio.sleep(0.3)  # nothing more comes
        got: dict[str, list[dict[str, Any]]] = {}
        for request in hook.requests:
            got.setdefault(request.path, []).append(request)
        secrets = {"/hooks/every": every, "/hooks/units": units, "/hooks/both": both}
        payloads = {
            path: [verified(secrets[path]["secret"], r) for r in requests]
            for path, requests in got.items()
        }
        for sent in payloads.values():  # what was sent is what the OpenAPI document says
            for payload in sent:
                WebhookMessage.model_validate(payload)

        announced, created = payloads["/hooks/every"]
        assert announced["type"] == "bulk_upload.completed"
        counts = {k: v[1] for k, v in announced["data"]["changes"].items()}
        assert counts | {"created": self.ROWS, "updated": 0, "resource": "units"} == counts
        assert created["type"] == "unit.created"
        assert created["data"]["entity"]["id"] == after

        *batches, last = payloads["/hooks/units"]
        assert [b["type"] for b in batches] == ["events.batch"] * 3
        rows = [e for b in batches for e in b["data"]["events"]]
        assert [b["data"]["count"] for b in batches] == [len(b["data"]["events"]) for b in batches]
        assert len(rows) == self.ROWS
        assert {e["type"] for e in rows} == {"unit.created"}
        assert len({e["entity"]["id"] for e in rows}) == self.ROWS
        assert last["data"]["entity"]["id"] == after

        types = [p["type"] for p in payloads["/hooks/both"]]
        assert types == ["events.batch"] * 3 + ["bulk_upload.completed", "unit.created"]

    async def test_an_upload_that_writes_nothing_is_not_announced(
        self, client: AsyncClient, hook: Receiver
    ) -> None:
        await self.upload_units(client)
        endpoint = await register(client, hook.url)
        again = await self.upload_units(client)  # the same rows: all unchanged
        assert again["unchanged"] == self.ROWS
        await client.post(f"{HOOKS}/{endpoint['id']}/test")
        (request,) = await received(hook, 1)
        assert verified(endpoint["secret"], request)["type"] == "webhook.test"


class TestSenders:
    """What a dead sender, a receiver failing for days and a second replica do to delivery."""

    async def test_a_delivery_leased_by_a_sender_that_died_goes_out_when_the_lease_ends(
        self, own_database: str, hook: Receiver
    ) -> None:
        async with served_app(own_database, ADMIN, **FAST, webhook_worker=False) as (app, client):
            endpoint = await register(client, hook.url, event_types=["unit.created"])
            await create_unit(client, "L1")
            sessions = app.state.sessionmaker
            for _ in range(100):  # the event may wait on another database's transaction
                await delivery.fan_out(sessions)
                if await deliveries(client, endpoint["id"]):
                    break
                await asyncio.sleep(0.05)
            (claimed,) = await delivery.claim(sessions, 10)  # then the sender dies
            async with sessions.begin() as session:
                await session.execute(
                    text("UPDATE webhook_deliveries SET lease_until = now() + interval '1 hour'")
                )
        async with served_app(own_database, ADMIN, **FAST) as (app, client):
            await asyncio.sleep(0.5)
            assert hook.requests == []  # leased: nobody else sends it
            async with app.state.sessionmaker.begin() as session:
                await session.execute(
                    text("UPDATE webhook_deliveries SET lease_until = now() - interval '1 second'")
                )
            (request,) = await received(hook, 1)
            (item,) = await settled(client, endpoint["id"], 1)
        assert request.headers["webhook-id"] == f"msg_{claimed.id}"
        assert (item["status"], item["attempts"]) == ("succeeded", 2)

    async def test_an_endpoint_failing_for_days_is_disabled_with_the_reason(
        self, own_database: str, hook: Receiver
    ) -> None:
        hook.reply = lambda n, r: (500, {}, b"", 0.0)
        async with served_app(own_database, ADMIN, **FAST) as (app, client):
            endpoint = await register(client, hook.url)
            async with app.state.sessionmaker.begin() as session:
                await session.execute(
                    text("UPDATE webhook_endpoints SET failing_since = now() - interval '73 hours'")
                )
            await client.post(f"{HOOKS}/{endpoint['id']}/test")
            await received(hook, 1)
            for _ in range(100):
                shown = (await client.get(f"{HOOKS}/{endpoint['id']}")).json()
                if not shown["enabled"]:
                    break
                await asyncio.sleep(0.05)
        assert shown["enabled"] is False
        assert "failing since" in shown["disabled_reason"]
        assert len(hook.requests) == 1  # a disabled endpoint is not tried again

    async def test_two_replicas_send_each_delivery_once_and_in_order(
        self, own_database: str, hook: Receiver
    ) -> None:
        async with (
            served_app(own_database, ADMIN, **FAST) as (_, client),
            served_app(own_database, ADMIN, **FAST),
        ):
            endpoint = await register(client, hook.url, event_types=["unit.created"])
            created = [await create_unit(client, f"P{n}") for n in range(12)]
            requests = await received(hook, len(created))
            await asyncio.sleep(0.5)  # nothing more comes
        ids = [verified(endpoint["secret"], r)["data"]["entity"]["id"] for r in hook.requests]
        assert ids == created
        assert len({r.headers["webhook-id"] for r in requests}) == len(created)
