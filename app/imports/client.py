"""`luoshi import`'s side: send a notice file to the running service and say what it became.

No database, no server code: the service reads, checks and stores the notice, so the import
lands in the database the service uses and nowhere else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app import remote

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}


@dataclass
class TaskWarnings:
    """What a person should check in one task of a dry run."""

    code: str
    number: str
    title: str
    warnings: list[str]


@dataclass
class Outcome:
    """What the notice became (``stored``) or would become (a dry run)."""

    stored: bool
    title: str
    year: int
    doc_number: str | None
    summary: dict[str, int]
    warnings: list[str]
    plan_id: int | None = None  # the new plan, or the one a dry run found already imported
    plan_code: str | None = None
    task_warnings: list[TaskWarnings] = field(default_factory=list)


def media_type(path: Path) -> str:
    """The media type the file's extension names; the service reads unknown ones by content."""
    return MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")


def form(path: Path) -> tuple[bytes, str]:
    """The file as a form upload (the service keeps its name) and its Content-Type. Built once,
    so every retry sends the same bytes: the multipart boundary is random."""
    request = httpx.Request(
        "POST", "http://form", files={"file": (path.name, path.read_bytes(), media_type(path))}
    )
    return request.read(), request.headers["Content-Type"]


async def import_file(
    *,
    url: str,
    key: str,
    path: Path,
    dry_run: bool = False,
    year: int | None = None,
    retries: int = 3,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Outcome:
    """POST the file to the service's plan imports; ``remote.Refused`` with the problem when
    the service says no (409 already imported, 422 not understood…)."""
    body, content_type = form(path)
    params = {"dry_run": str(dry_run).lower()}
    if year is not None:
        params["year"] = str(year)
    async with remote.connect(url, key, transport=transport) as client:
        response = await remote.send(
            client,
            "POST",
            "/api/v1/plan-imports",
            content=body,
            headers={
                "Content-Type": content_type,
                # New per run: a retry after a lost answer is replayed, never imported twice,
                # while running the command again gets the truth (409 already imported).
                "Idempotency-Key": f"luoshi-import-{uuid.uuid4()}",
            },
            params=params,
            retries=retries,
        )
        if dry_run:
            return _preview(remote.expect(response, 200))
        record = remote.expect(response, 201)
        plan = remote.expect(
            await remote.send(client, "GET", f"/api/v1/plans/{record['plan_id']}"), 200
        )
    return Outcome(
        stored=True,
        title=record["title"],
        year=record["year"],
        doc_number=record["doc_number"],
        summary=record["summary"],
        warnings=record["warnings"],
        plan_id=plan["id"],
        plan_code=plan["code"],
    )


def _preview(body: dict[str, Any]) -> Outcome:
    existing = body.get("existing_plan") or {}
    return Outcome(
        stored=False,
        title=body["title"],
        year=body["year"],
        doc_number=body.get("doc_number"),
        summary=body.get("summary") or {},
        warnings=body.get("warnings") or [],
        plan_id=existing.get("id"),
        plan_code=existing.get("code"),
        task_warnings=[
            TaskWarnings(task["code"], task["number"], task["title"], task["warnings"])
            for task in body["tasks"]
            if task.get("warnings")
        ],
    )
