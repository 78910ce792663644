from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.pagination import ListQuery
from app.types import QueryId, ReadModel


class ImportSummary(BaseModel):
    sections: int
    key_tasks: int
    work_points: int
    subtasks: int
    units_matched: int = Field(description="Responsible units found among existing units.")
    units_created: int = Field(description="New units, kind inferred from the name.")
    responsibilities: int
    indicators: int
    milestones: int
    related_links: int


class ParsedUnitOut(BaseModel):
    name: str
    kind: str
    role: str
    unit_id: int | None = Field(description="The existing unit it matches, if any.")


class ParsedIndicatorOut(BaseModel):
    code: str
    name: str
    comparator: str
    target_value: float
    target_max: float | None
    unit_label: str
    source_text: str


class ParsedMilestoneOut(BaseModel):
    title: str
    due_on: date
    source_text: str


class ParsedTaskOut(BaseModel):
    code: str
    kind: str
    number: str
    title: str
    description: str
    parent_number: str | None
    due_on: date | None
    related_codes: list[str]
    units: list[ParsedUnitOut]
    indicators: list[ParsedIndicatorOut]
    milestones: list[ParsedMilestoneOut]


class ImportPreview(BaseModel):
    """What an import would create (``dry_run=true``); nothing is stored."""

    title: str
    year: int
    doc_number: str | None
    issuer: str | None
    issued_on: date | None
    summary: ImportSummary
    warnings: list[str]
    tasks: list[ParsedTaskOut]


class PlanImportRead(ReadModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "plan_id": 1,
                    "title": "关于印发河南省科协2024年重点工作和工作要点的通知",
                    "year": 2024,
                    "doc_number": "豫科协办发〔2024〕9号",
                    "filename": "notice.txt",
                    "summary": {
                        "sections": 6,
                        "key_tasks": 10,
                        "work_points": 19,
                        "subtasks": 0,
                        "units_matched": 0,
                        "units_created": 23,
                        "responsibilities": 180,
                        "indicators": 16,
                        "milestones": 1,
                        "related_links": 9,
                    },
                    "warnings": ["KT5: no matching work point"],
                    "created_at": "2024-03-02T01:00:00Z",
                }
            ]
        },
    )

    id: int
    plan_id: int | None
    title: str
    year: int
    doc_number: str | None
    filename: str | None
    summary: dict[str, Any]
    warnings: list[str]
    created_at: datetime


class PlanImportDetail(PlanImportRead):
    source_text: str = Field(description="The notice text as imported.")


class PlanImportQuery(ListQuery):
    plan_id: QueryId | None = None
