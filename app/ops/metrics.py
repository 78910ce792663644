"""Prometheus metrics: request count and latency by route template, method and status.

A pure ASGI middleware on prometheus_client. The router has already matched the request, so
the template comes from ``scope["route"]`` rather than from matching every route again.
"""

from __future__ import annotations

import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "<unmatched>"
_NOT_MEASURED = frozenset({"/metrics", "/healthz", "/readyz"})


class Metrics:
    """One registry per app, so several apps in a process (tests, workers) never mix series."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        self.requests = Counter(
            "http_requests_total",
            "Requests by route template, method and status.",
            ["handler", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to the end of the response, by route template and method.",
            ["handler", "method"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, api_prefix: str) -> None:
        self.app = app
        self.metrics = metrics
        self.api_prefix = api_prefix

    def _template(self, scope: Scope) -> str:
        route = scope.get("route")
        template = getattr(route, "path", None)
        if not isinstance(template, str):
            return UNMATCHED  # an unknown path must not create a series per URL
        # Routes of included routers carry their path without the include prefix.
        if scope["path"].startswith(self.api_prefix) and not template.startswith(self.api_prefix):
            template = self.api_prefix + template
        return template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _NOT_MEASURED:
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            handler = self._template(scope)
            method = scope["method"]
            self.metrics.requests.labels(handler, method, str(status)).inc()
            self.metrics.latency.labels(handler, method).observe(time.perf_counter() - start)
