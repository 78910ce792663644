"""The database goes away and comes back while the service runs (tests/faults/).

A TCP proxy between the service and PostgreSQL stands in for the network: cutting it refuses
new connections and drops the open ones, as a stopped or restarting server does; restoring it
brings the server back on the same address. The service is the app as `luoshi serve` runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import logging
import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.helpers import served_app


class Proxy:
    """Forwards a local address to the database server until cut: TCP 127.0.0.1:<port>, or,
    for a server reached over a socket file (the embedded default), a socket file of its own."""

    def __init__(self, *, host: str = "", port: int = 0, socket: str = "", path: str = "") -> None:
        self.host, self.target_port, self.socket, self.path = host, port, socket, path
        self.port = 0
        self.server: asyncio.Server | None = None
        self.streams: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        if self.path:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)  # the stale file of the last start
            self.server = await asyncio.start_unix_server(self._accept, self.path)
        else:
            self.server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
            self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Refuse new connections and reset every open one."""
        assert self.server is not None
        self.server.close()
        for writer in list(self.streams):
            writer.transport.abort()
        await self.server.wait_closed()

    async def _upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.socket:
            return await asyncio.open_unix_connection(self.socket)
        return await asyncio.open_connection(self.host, self.target_port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await self._upstream()
        except OSError:
            writer.transport.abort()
            return
        self.streams |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()
            self.streams.discard(sink)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def proxy(own_database: str, tmp_path: Path) -> AsyncIterator[tuple[Proxy, str]]:
    url = make_url(own_database)
    socket_dir = url.query.get("host") if not url.host else None
    if isinstance(socket_dir, str):
        (socket,) = [
            path
            for path in glob.glob(os.path.join(socket_dir, ".s.PGSQL.*"))
            if path.rsplit(".", 1)[-1].isdigit()  # not the .lock file beside it
        ]
        proxy = Proxy(socket=socket, path=str(tmp_path / os.path.basename(socket)))
        await proxy.start()
        proxied = url.update_query_dict({"host": str(tmp_path)})
    else:
        proxy = Proxy(host=url.host or "127.0.0.1", port=url.port or 5432)
        await proxy.start()
        proxied = url.set(host="127.0.0.1", port=proxy.port)
    yield proxy, proxied.render_as_string(hide_password=False)
    with contextlib.suppress(Exception):
        await proxy.cut()


async def test_requests_get_503_during_an_outage_and_recover_after(
    proxy: tuple[Proxy, str], caplog: pytest.LogCaptureFixture
) -> None:
    gate, url = proxy
    secret = f"lsk_outage_{uuid.uuid4().hex}"
    async with served_app(url, secret, bulk_worker=False) as (_, client):
        assert (await client.get("/api/v1/plans")).status_code == 200

        await gate.cut()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            answers = [await client.get("/api/v1/plans") for _ in range(5)]
            ready = await client.get("/readyz")
            alive = await client.get("/healthz")
        for response in answers:
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["retry-after"] == "5"
            assert response.json()["code"] == "database_unavailable"
        assert ready.status_code == 503
        assert alive.status_code == 200
        # One line per outage for the requests (none if one was logged just now), at most one
        # per background loop (webhook sender, housekeeping), and no traceback anywhere.
        outage_lines = [r for r in caplog.records if "database unreachable" in r.getMessage()]
        by_logger = Counter(r.name for r in outage_lines)
        assert by_logger["app.errors"] <= 1, outage_lines
        assert all(n <= 1 for n in by_logger.values()), outage_lines
        assert not [r for r in caplog.records if r.exc_info]

        await gate.start()  # the server is back on the same address
        for _ in range(20):
            recovered = await client.get("/api/v1/plans")
            if recovered.status_code == 200:
                break
            await asyncio.sleep(0.25)
        assert recovered.status_code == 200, recovered.text
        assert (await client.get("/readyz")).status_code == 200


async def test_the_bulk_worker_resumes_after_an_outage(proxy: tuple[Proxy, str]) -> None:
    gate, url = proxy
    secret = f"lsk_outage_{uuid.uuid4().hex}"
    async with served_app(url, secret) as (_, client):
        await gate.cut()
        await asyncio.sleep(1.5)  # the worker notices and starts retrying
        await gate.start()
        code = f"BACK-{uuid.uuid4().hex[:6]}"
        for _ in range(40):  # the API is back at once; queue when it answers
            queued = await client.post(
                "/api/v1/bulk/units",
                content=f'{{"code": "{code}", "name": "恢复"}}'.encode(),
                headers={"Content-Type": "application/x-ndjson"},
                params={"async": "true"},
            )
            if queued.status_code == 202:
                break
            await asyncio.sleep(0.25)
        assert queued.status_code == 202, queued.text
        for _ in range(240):
            job = (await client.get(queued.headers["location"])).json()
            if job["status"] in {"succeeded", "failed"}:
                break
            await asyncio.sleep(0.25)
        assert job["status"] == "succeeded", job
        units = (await client.get("/api/v1/units", params={"code": code})).json()["items"]
        assert (await client.delete(f"/api/v1/units/{units[0]['id']}")).status_code == 204
