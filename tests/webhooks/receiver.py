"""A real HTTP receiver for webhook tests: a thread on 127.0.0.1 that records each request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


# What to answer the n-th request (0-based): (status, extra headers, body, seconds to wait).
Reply = tuple[int, dict[str, str], bytes, float]


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    reply: Callable[[int, Received], Reply] = lambda n, r: (204, {}, b"", 0.0)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.requests) >= count, f"{len(self.requests)} of {count} requests came"
        return self.requests


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            got = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            with lock:
                n = len(state.requests)
                status, headers, answer, delay = state.reply(n, got)
            time.sleep(delay)
            with lock:
                state.requests.append(got)
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the sender gave up waiting

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
