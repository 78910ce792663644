from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.errors import Problem

Resource = Literal[
    "units", "tasks", "responsibilities", "milestones", "indicators", "indicator-reports"
]
Mode = Literal["upsert", "create", "update"]
JobStatus = Literal["queued", "running", "succeeded", "failed"]


class BulkRowError(BaseModel):
    """What is wrong with one row."""

    row: int = Field(description="1-based record number (a CSV or sheet header is not counted).")
    field: str = Field(description="The column at fault; empty when the whole record is.")
    code: str = Field(description="Stable machine-readable reason, e.g. `not_found`.")
    message: str


class BulkSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "resource": "indicator-reports",
                    "mode": "upsert",
                    "atomic": False,
                    "dry_run": False,
                    "total": 3,
                    "created": 1,
                    "updated": 0,
                    "unchanged": 1,
                    "failed": 1,
                    "errors": [
                        {
                            "row": 3,
                            "field": "unit",
                            "code": "not_found",
                            "message": "no unit with code HNAST-XX",
                        }
                    ],
                }
            ]
        }
    )

    resource: Resource
    mode: Mode
    atomic: bool
    dry_run: bool = Field(description="Nothing was written; the counts say what would be.")
    total: int
    created: int
    updated: int
    unchanged: int
    failed: int
    errors: list[BulkRowError]


class BulkProblemItem(BaseModel):
    """A row error (``row``, ``field``, ``code``, ``message``) or a request-level problem."""

    row: int | None = None
    field: str | None = None
    code: str | None = None
    message: str | None = None
    pointer: str | None = None
    parameter: str | None = None
    detail: str


class BulkProblem(Problem):
    """A refused upload: with `atomic=true`, `errors` names every bad row."""

    errors: list[BulkProblemItem] | None = None  # type: ignore[assignment]


class BulkJobRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "resource": "indicator-reports",
                    "status": "running",
                    "mode": "upsert",
                    "atomic": True,
                    "dry_run": False,
                    "rows_read": 40000,
                    "summary": None,
                    "problem": None,
                    "created_at": "2024-07-03T01:00:00Z",
                    "started_at": "2024-07-03T01:00:01Z",
                    "finished_at": None,
                }
            ]
        },
    )

    id: int
    resource: Resource
    status: JobStatus = Field(description="`queued`, `running`, `succeeded` or `failed`.")
    mode: Mode
    atomic: bool
    dry_run: bool
    rows_read: int = Field(description="Progress: records read so far.")
    summary: BulkSummary | None = Field(description="When it succeeded (or failed row by row).")
    problem: dict[str, Any] | None = Field(
        description="When it failed: the problem document the upload would have answered."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
