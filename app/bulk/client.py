"""The scripting side of bulk uploads (`luoshi upload`): split a file into chunks of rows, send
each with its own Idempotency-Key, retry what failed in transit, and add up the summaries.

The keys derive from each chunk's content and place, so running the same command again
after a crash replays the chunks already done (nothing is written twice) and sends the rest.
An atomic upload of several chunks is checked whole first (each chunk as a dry run), so a bad
row anywhere means nothing is written and every bad row of the file is listed at once.
No database, no server code: this runs on the caller's machine; the HTTP plumbing (key,
retries, problem documents) is app/remote.py's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import orjson

from app import remote
from app.bulk.texts import CLIENT
from app.i18n import say

NDJSON = "application/x-ndjson"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadFailed(remote.Refused):
    """The service refused a chunk as a whole (not row by row): its problem document, with the
    rows of its errors numbered in the whole file (the chunk starts at ``first_row``)."""

    def __init__(self, problem: dict[str, Any], first_row: int) -> None:
        offset = first_row - 1
        errors = [
            {**e, "row": e["row"] + offset} if "row" in e else e
            for e in problem.get("errors") or []
        ]
        super().__init__({**problem, "errors": errors} if errors else problem)
        self.first_row = first_row


@dataclass
class Chunk:
    body: bytes
    content_type: str
    first_row: int  # 1-based record number of its first row in the whole file
    rows: int


@dataclass
class Totals:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    chunks: int = 0
    replayed: int = 0  # chunks the service had applied before: their counts are the first run's

    def add(self, summary: dict[str, Any], first_row: int) -> None:
        for name in ("total", "created", "updated", "unchanged", "failed"):
            setattr(self, name, getattr(self, name) + int(summary[name]))
        for error in summary["errors"]:
            self.errors.append({**error, "row": error["row"] + first_row - 1})


def chunks(path: Path, rows_per_chunk: int) -> Iterator[Chunk]:
    """The file cut into bodies of at most ``rows_per_chunk`` records (a workbook goes whole)."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        yield Chunk(data, XLSX, 1, 0)
        return
    if suffix == ".csv":
        text_lines = data.splitlines(keepends=True)
        header, records = text_lines[:1], [line for line in text_lines[1:] if line.strip()]
        # A quoted cell may hold a line break: then the file is sent whole, not cut.
        if any(line.count(b'"') % 2 for line in records):
            yield Chunk(data, CSV, 1, len(records))
            return
        for start in range(0, max(len(records), 1), rows_per_chunk):
            part = records[start : start + rows_per_chunk]
            yield Chunk(b"".join(header + part), CSV, start + 1, len(part))
        return
    if suffix == ".json":
        items = orjson.loads(data)
        lines = [orjson.dumps(item) + b"\n" for item in items]
    else:  # .ndjson, .jsonl
        lines = [line + b"\n" for line in data.splitlines() if line.strip()]
    for start in range(0, max(len(lines), 1), rows_per_chunk):
        part = lines[start : start + rows_per_chunk]
        yield Chunk(b"".join(part), NDJSON, start + 1, len(part))


Phase = Literal["check", "write"]


def passes(*, atomic: bool, dry_run: bool, chunk_count: int) -> list[Phase]:
    """An atomic upload of several chunks is checked whole before any chunk is written."""
    if atomic and not dry_run and chunk_count > 1:
        return ["check", "write"]
    return ["write"]


async def upload_file(
    *,
    url: str,
    key: str,
    resource: str,
    path: Path,
    dry_run: bool = False,
    atomic: bool = True,
    mode: str = "upsert",
    rows_per_chunk: int = 20_000,
    retries: int = 5,
    on_chunk: Callable[[Chunk, Phase], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Totals:
    """Send the file chunk by chunk; raises ``UploadFailed`` when a chunk is refused whole, or
    when checking an atomic upload found bad rows (then nothing was written)."""
    parts = list(chunks(path, rows_per_chunk))
    totals = Totals()
    async with remote.connect(url, key, transport=transport) as client:
        for phase in passes(atomic=atomic, dry_run=dry_run, chunk_count=len(parts)):
            checking = phase == "check"
            params = {
                "mode": mode,
                "atomic": str(atomic).lower(),
                "dry_run": str(dry_run or checking).lower(),
            }
            totals = Totals()
            for index, chunk in enumerate(parts):
                headers = {
                    "Content-Type": chunk.content_type,
                    "Idempotency-Key": f"luoshi-upload-{_digest(chunk.body)}-{resource}-{mode}-"
                    f"{'atomic' if atomic else 'partial'}-{index}"
                    + ("-dry" if dry_run or checking else ""),
                }
                response = await remote.send(
                    client,
                    "POST",
                    f"/api/v1/bulk/{resource}",
                    content=chunk.body,
                    headers=headers,
                    params=params,
                    retries=retries,
                )
                if response.status_code != 200:
                    raise UploadFailed(remote.problem_of(response), chunk.first_row)
                body = response.json()
                totals.add(body, chunk.first_row)
                totals.chunks += 1
                if response.headers.get("idempotent-replayed") == "true":
                    totals.replayed += 1
                if on_chunk is not None:
                    on_chunk(chunk, phase)
            if checking and totals.errors:
                detail = say(CLIENT, "invalid_rows", failed=totals.failed, total=totals.total)
                if any(e.get("field") == "parent" for e in totals.errors):
                    detail += say(CLIENT, "parent_in_other_chunk", total=totals.total)
                raise UploadFailed(
                    {
                        "title": say(CLIENT, "invalid_rows_title"),
                        "code": "invalid_rows",
                        "detail": detail,
                        "errors": totals.errors,
                    },
                    first_row=1,  # the errors are numbered in the whole file already
                )
    return totals


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]
