"""What the change feed and webhooks add to a 100,000-row bulk upload (goal: at most 10 %).

    python bench/events_cost.py [--rows 100000] [--rounds 2]

Uses DATABASE_URL's server if set, else an embedded one, in a database of its own. After a
first upload creates `--rows` indicator reports, each round uploads all of them again with new
values (`--rows` updates, each with its audit event), in three states, alternating:

- bare: the feed's parts removed (the `xid` default, its indexes, the NOTIFY trigger) — the
  upload as it was before the feed existed;
- events: as shipped, no webhook endpoint;
- webhooks: as shipped, with two endpoints on a local receiver: one with no `event_types`
  (gets one `bulk_upload.completed`) and one subscribed to `indicator_report.*` (gets the
  records in `events.batch` messages of 500).

For each it prints the upload's request time (median over rounds) and its ratio to bare; for
webhooks also how long after the upload's answer the receiver had every message, and how many
calls it took. Figures only: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from bulk_reports import INDICATORS, QUARTERS, ndjson, rows, seed, upload
from common import KEY, database_kind, free_port, scratch_database, start_service, stop
from events_feed import sql

PAGE = 500
_BARE = [
    "DROP TRIGGER audit_events_notify ON audit_events",
    "DROP INDEX ix_audit_events_xid",
    "DROP INDEX ix_audit_events_bulk_upload",
    "ALTER TABLE audit_events ALTER COLUMN xid DROP DEFAULT, ALTER COLUMN xid DROP NOT NULL",
]
_SHIPPED = [
    "ALTER TABLE audit_events ALTER COLUMN xid SET DEFAULT pg_current_xact_id()",
    "CREATE INDEX ix_audit_events_xid ON audit_events (xid, id)",
    "CREATE INDEX ix_audit_events_bulk_upload ON audit_events (xid) "
    "WHERE entity_type = 'bulk_upload'",
    "CREATE TRIGGER audit_events_notify AFTER INSERT ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION luoshi_notify_events()",
]


class Receiver:
    """Counts what arrives on each path; answers 204 at once."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()

    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())


@contextmanager
def receiver() -> Iterator[tuple[Receiver, str]]:
    seen = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            with seen.lock:
                seen.counts[self.path] = seen.counts.get(self.path, 0) + 1
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def values(count: int, round_: int) -> bytes:
    """Every report again with a value of this round's: ``count`` updates."""
    return ndjson([(i, u, q, v + round_) for i, u, q, v in rows(count)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    units = -(-args.rows // (INDICATORS * len(QUARTERS)))
    batches = -(-args.rows // PAGE)
    with scratch_database() as dsn, receiver() as (hook, base):
        proc = None
        try:
            asyncio.run(seed(dsn, units))
            port = free_port()
            proc = start_service(
                dsn,
                port,
                {
                    "LUOSHI_BULK_WORKER": "false",
                    "LUOSHI_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
                    "LUOSHI_WEBHOOK_POLL_SECONDS": "0.1",
                },
            )
            api = httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {KEY}"},
                timeout=60,
            )
            first, summary = upload(port, ndjson(rows(args.rows)))
            assert summary["created"] == args.rows, summary
            times: dict[str, list[float]] = {"bare": [], "events": [], "webhooks": []}
            drains: list[float] = []
            calls: list[int] = []
            uploads = 0
            for _ in range(args.rounds):
                for state in times:
                    uploads += 1
                    body = values(args.rows, uploads)
                    asyncio.run(sql(dsn, ["VACUUM ANALYZE audit_events, indicator_reports"]))
                    if state == "bare":
                        asyncio.run(sql(dsn, _BARE))
                    endpoints = []
                    if state == "webhooks":
                        for path, types in (("/every", []), ("/reports", ["indicator_report.*"])):
                            created = api.post(
                                "/api/v1/webhook-endpoints",
                                json={"url": base + path, "event_types": types},
                            ).raise_for_status()
                            endpoints.append(created.json()["id"])
                    before = hook.total()
                    seconds, summary = upload(port, body)
                    assert summary["updated"] == args.rows, summary
                    times[state].append(seconds)
                    if state == "bare":
                        asyncio.run(sql(dsn, _SHIPPED))
                    if endpoints:
                        answered = time.perf_counter()
                        while hook.total() - before < 1 + batches:
                            time.sleep(0.05)
                        drains.append(time.perf_counter() - answered)
                        calls.append(hook.total() - before)
                        for endpoint in endpoints:
                            api.delete(f"/api/v1/webhook-endpoints/{endpoint}").raise_for_status()
            bare = statistics.median(times["bare"])
            print(
                f"{args.rows} indicator reports updated per upload (first upload, creates: "
                f"{first:.1f} s), {args.rounds} round(s), {os.cpu_count()} cores; "
                f"database: {database_kind()}"
            )
            print(f"{'state':<10} {'upload s (median)':>18} {'vs bare':>9}")
            for state, seconds_list in times.items():
                median = statistics.median(seconds_list)
                print(f"{state:<10} {median:>18.2f} {(median / bare - 1) * 100:>+8.1f}%")
            print(
                f"webhooks: {statistics.median(calls):.0f} calls per upload (1 "
                f"bulk_upload.completed + {batches} batches of ≤{PAGE}), all received "
                f"{statistics.median(drains):.1f} s (median) after the upload answered"
            )
        finally:
            if proc is not None:
                stop([proc])


if __name__ == "__main__":
    main()
