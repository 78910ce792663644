"""The OpenAPI document describes the webhook routes and what receivers get."""

from __future__ import annotations

from httpx import AsyncClient

from app.webhooks.schemas import WebhookMessage


class TestDocument:
    async def test_payloads_are_in_the_openapi_webhooks(self, anon: AsyncClient) -> None:
        doc = (await anon.get("/openapi.json")).json()
        post = doc["webhooks"]["change-event"]["post"]
        schema = post["requestBody"]["content"]["application/json"]["schema"]
        assert schema["$ref"] == "#/components/schemas/WebhookMessage"
        message = doc["components"]["schemas"]["WebhookMessage"]
        assert {"type", "timestamp", "data"} <= set(message["required"])
        refs = {one["$ref"].rsplit("/", 1)[1] for one in message["properties"]["data"]["anyOf"]}
        assert refs == {"EventRead", "EventBatch", "WebhookTest"}  # typed for generated clients
        assert {e["type"] for e in message["examples"]} >= {"events.batch", "bulk_upload.completed"}
        for example in message["examples"]:
            WebhookMessage.model_validate(example)

    async def test_the_secret_is_only_in_the_create_and_rotate_answers(
        self, anon: AsyncClient
    ) -> None:
        doc = (await anon.get("/openapi.json")).json()
        with_secret = "#/components/schemas/WebhookEndpointWithSecret"
        paths = doc["paths"]
        for path, ops in paths.items():
            for method, op in ops.items():
                ok = op["responses"].get("201") or op["responses"].get("200") or {}
                ref = ok.get("content", {}).get("application/json", {}).get("schema", {})
                if ref.get("$ref") == with_secret:
                    assert (path, method) in {
                        ("/api/v1/webhook-endpoints", "post"),
                        ("/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret", "post"),
                    }
