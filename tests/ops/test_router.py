"""What operators and integrators rely on: probes, metrics, request ids, offline docs, OpenAPI."""

import re
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient


class TestProbes:
    async def test_healthz(self, anon: AsyncClient) -> None:
        response = await anon.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    async def test_readyz_reaches_the_database(self, anon: AsyncClient) -> None:
        response = await anon.get("/readyz")
        assert response.status_code == 200


class TestMetrics:
    async def test_requests_are_counted_by_route_template_and_status(
        self, client: AsyncClient
    ) -> None:
        await client.get("/api/v1/units/424242")
        text = (await client.get("/metrics")).text
        assert 'handler="/api/v1/units/{unit_id}"' in text
        assert 'status="404"' in text
        assert "http_request_duration_seconds" in text

    async def test_unknown_paths_share_one_series(self, client: AsyncClient) -> None:
        await client.get("/api/v1/no-such-thing/12345")
        text = (await client.get("/metrics")).text
        assert "no-such-thing" not in text
        assert 'handler="<unmatched>"' in text


class TestRequestId:
    async def test_request_id_is_echoed(self, anon: AsyncClient) -> None:
        rid = "6a1f0d3c9c9e4d8b8e9f1a2b3c4d5e6f"
        response = await anon.get("/healthz", headers={"X-Request-ID": rid})
        assert response.headers["x-request-id"] == rid

    async def test_request_id_is_made_when_missing(self, anon: AsyncClient) -> None:
        response = await anon.get("/healthz")
        assert len(response.headers["x-request-id"]) >= 16


class TestDocsWorkOffline:
    async def test_swagger_ui_uses_only_local_assets(self, anon: AsyncClient) -> None:
        page = (await anon.get("/docs")).text
        assert "cdn" not in page.lower()
        asset = await anon.get("/docs-assets/swagger-ui-bundle.js")
        assert asset.status_code == 200
        assert len(asset.content) > 100_000

    async def test_redoc_uses_only_local_assets(self, anon: AsyncClient) -> None:
        page = (await anon.get("/redoc")).text
        assert "cdn" not in page.lower()
        assert (await anon.get("/docs-assets/redoc.standalone.js")).status_code == 200

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_the_page_names_no_other_host(self, anon: AsyncClient, path: str) -> None:
        page = (await anon.get(path)).text
        hosts = {urlsplit(url).hostname for url in re.findall(r"https?://[^\s\"'<>)]+", page)}
        assert hosts <= {"test"}, hosts  # no Google fonts, no CDN, no logo from elsewhere

    @pytest.mark.parametrize("path", ["/docs", "/redoc"])
    async def test_the_browser_may_fetch_images_fonts_and_data_only_from_the_service(
        self, anon: AsyncClient, path: str
    ) -> None:
        # The bundles name other hosts (ReDoc's Redocly logo on cdn.redoc.ly, Swagger UI's
        # validator badge): the page's policy keeps the browser from asking them.
        policy = (await anon.get(path)).headers["content-security-policy"]
        directives = {
            name: set(sources)
            for name, *sources in (part.split() for part in policy.split(";") if part.strip())
        }
        for directive in ("img-src", "font-src", "connect-src"):
            assert directives[directive] <= {"'self'", "data:"}, directive

    async def test_swagger_ui_shows_no_external_validator_badge(self, anon: AsyncClient) -> None:
        page = (await anon.get("/docs")).text
        assert '"validatorUrl": null' in page


class TestOpenApiDocument:
    async def test_every_operation_is_documented_for_client_generation(
        self, anon: AsyncClient
    ) -> None:
        doc = (await anon.get("/openapi.json")).json()
        for path, operations in doc["paths"].items():
            for method, op in operations.items():
                where = f"{method.upper()} {path}"
                assert op.get("summary"), where
                tag = op["tags"][0]
                assert op["operationId"].startswith(f"{tag}-"), where
                if path.startswith("/api/v1"):
                    assert op["security"] == [{"ApiKey": []}], where
                    for code in ("401", "422"):
                        content = op["responses"][code]["content"]
                        assert "application/problem+json" in content, where

    async def test_no_duplicate_input_output_schemas(self, anon: AsyncClient) -> None:
        names = (await anon.get("/openapi.json")).json()["components"]["schemas"]
        assert not [n for n in names if n.endswith(("-Input", "-Output"))]

    async def test_request_bodies_have_examples(self, anon: AsyncClient) -> None:
        schemas = (await anon.get("/openapi.json")).json()["components"]["schemas"]
        for name, schema in schemas.items():
            if name.endswith(("Create", "Update", "Read")):
                assert schema.get("examples"), name
