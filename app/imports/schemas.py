from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from app.i18n import Language, speaking
from app.imports import texts
from app.pagination import ListQuery
from app.types import IsoDate, LongText, Name, Note, QueryId, ReadModel, Title


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL bytes")
    return value


def _short(max_length: int, min_length: int = 0) -> Any:
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_no_nul)
    ]


TaskKind = Literal["section", "subtask", "key_task", "work_point"]
UnitKind = Literal[
    "department", "institution", "society", "city", "university", "enterprise", "group", "other"
]
Role = Literal["lead", "participant"]
Comparator = Literal["gte", "lte", "eq", "between", "about"]
TaskCode = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[\w.()\-]+$", description="Unique in the plan."),
]
# Targets: 15 significant digits before the point, like every indicator.
Target = Annotated[Decimal, Field(ge=-(10**15), le=10**15, allow_inf_nan=False, decimal_places=4)]


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


class _Structure(BaseModel):
    """Part of an import's structure: the preview shows it, a reviewed import sends it back."""

    model_config = ConfigDict(extra="forbid")


def _known_code(value: str) -> str:
    if value not in texts.WARNINGS:
        raise ValueError("not a warning code of this service")
    return value


_CODE_SCHEMA: dict[str, Any] = {"type": "string", "enum": [*texts.WARNINGS]}
WarningCode = Annotated[str, AfterValidator(_known_code), WithJsonSchema(_CODE_SCHEMA)]
ParamName = Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,31}$")]
ParamValue = (
    Annotated[int, Field(strict=True)]
    | Annotated[str, Field(max_length=500), AfterValidator(_no_nul)]
)
_WARNING_EXAMPLES: list[Any] = [
    {"code": "no_issue_date", "task_code": None, "params": {}},
    {"code": "new_unit", "task_code": "WP1", "params": {"name": "区发改局", "kind": "department"}},
    {
        "code": "no_reporter",
        "task_code": "WP17",
        "params": {"indicator": "WP17-1", "name": "上访"},
    },
]


class ImportWarning(_Structure):
    """A warning as machines read it; the ``warnings`` list beside it says the same, item by
    item, as sentences for people (Chinese, or English on ``Accept-Language: en``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": _WARNING_EXAMPLES})

    code: WarningCode = Field(
        description="Stable: what to check. The service's own checks (`already_imported`, "
        "`new_unit`, `no_reporter`) are made afresh on every preview; the rest come from "
        "reading the notice."
    )
    task_code: TaskCode | None = Field(None, description="The task it concerns, if one.")
    params: dict[ParamName, ParamValue] = Field(
        default_factory=dict,
        max_length=10,
        description="The figures of the sentence: names, numbers, text as printed.",
    )

    @model_validator(mode="after")
    def _sayable(self) -> "ImportWarning":
        missing = sorted(texts.figures(self.code) - self.params.keys())
        if missing:
            raise ValueError(f"params of {self.code} must give {', '.join(missing)}")
        languages: tuple[Language, ...] = ("zh", "en")
        for lang in languages:
            with speaking(lang):
                try:
                    texts.warning_text(self.code, self.params)
                except (KeyError, IndexError, ValueError) as exc:
                    raise ValueError(f"params of {self.code} cannot be said: {exc}") from None
        return self


def _warning_details(max_length: int) -> Any:
    return Field(
        default_factory=list,
        max_length=max_length,
        description="The same warnings for machines, one for each sentence of `warnings`, in "
        "order. When a structure is sent back with them, `warnings` is said again from them "
        "in the request's language; sent without them, `warnings` is kept as sent.",
        examples=[_WARNING_EXAMPLES],
    )


class ParsedUnitOut(_Structure):
    name: Name
    kind: UnitKind = Field(description="Inferred from the name unless the unit exists.")
    role: Role
    unit_id: int | None = Field(
        None, description="The existing unit of that name (preview only; ignored when sent)."
    )


class ParsedIndicatorOut(_Structure):
    code: _short(64, 1)  # type: ignore[valid-type]
    name: Name
    comparator: Comparator = Field(
        description="gte 不少于/以上, lte 不超过/以内, eq, between N-M (target_max), "
        "about 左右/约 (achieved within a tolerance)."
    )
    target_value: Target
    target_max: Target | None = None
    unit_label: _short(32) = ""  # type: ignore[valid-type]
    source_text: LongText = ""

    @model_validator(mode="after")
    def _range(self) -> "ParsedIndicatorOut":
        if (self.comparator == "between") != (self.target_max is not None):
            raise ValueError("target_max is required for `between` and only for it")
        if self.target_max is not None and self.target_max < self.target_value:
            raise ValueError("target_max must not be below target_value")
        return self


class ParsedMilestoneOut(_Structure):
    title: Title
    due_on: IsoDate
    source_text: LongText = ""


class ParsedTaskOut(_Structure):
    code: TaskCode
    kind: TaskKind
    number: _short(16) = Field(description="As printed: 四, 13, ①.")  # type: ignore[valid-type]
    title: Title
    description: LongText = ""
    parent_code: TaskCode | None = Field(None, description="The enclosing task, listed earlier.")
    parent_number: str | None = Field(None, description="Preview only; ignored when sent.")
    due_on: IsoDate | None = None
    related_codes: list[TaskCode] = Field(default_factory=list, max_length=50)
    units: list[ParsedUnitOut] = Field(default_factory=list, max_length=200)
    indicators: list[ParsedIndicatorOut] = Field(default_factory=list, max_length=100)
    milestones: list[ParsedMilestoneOut] = Field(default_factory=list, max_length=100)
    source_text: LongText = Field("", description="The item as printed in the notice.")
    warnings: list[Note] = Field(
        default_factory=list,
        max_length=200,
        description="What a person should check in this task, as sentences (Chinese by "
        "default, English on `Accept-Language: en`).",
        examples=[["新单位“区发改局”：按名称推断为机关部门，请核对"]],
    )
    warning_details: list[ImportWarning] = _warning_details(200)


class ExistingPlan(BaseModel):
    id: int
    code: str


class ImportPreview(_Structure):
    """What an import creates. ``dry_run=true`` returns it and stores nothing; the office may
    correct it and POST it back as JSON to create the plan exactly so."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "关于印发立山区政府2023年重点工作任务分解和责任分工方案的通知",
                    "year": 2023,
                    "doc_number": "鞍立政发〔2023〕2号",
                    "issuer": "立山区人民政府",
                    "issued_on": "2023-03-28",
                    "tasks": [
                        {
                            "code": "WP1",
                            "kind": "work_point",
                            "number": "1",
                            "title": "努力实现地区生产总值增长6.2%左右",
                            "description": "努力实现地区生产总值增长6.2%左右。",
                            "parent_code": "S1",
                            "due_on": "2023-12-31",
                            "related_codes": [],
                            "units": [
                                {"name": "区发改局", "kind": "department", "role": "lead"},
                                {"name": "立山经济开发区", "kind": "other", "role": "participant"},
                            ],
                            "indicators": [
                                {
                                    "code": "WP1-1",
                                    "name": "地区生产总值增长",
                                    "comparator": "about",
                                    "target_value": 6.2,
                                    "unit_label": "%",
                                }
                            ],
                            "milestones": [],
                            "warnings": ["新单位“区发改局”：按名称推断为机关部门，请核对"],
                            "warning_details": [
                                {
                                    "code": "new_unit",
                                    "task_code": "WP1",
                                    "params": {"name": "区发改局", "kind": "department"},
                                }
                            ],
                        }
                    ],
                    "warnings": ["未找到印发日期"],
                    "warning_details": [{"code": "no_issue_date", "params": {}}],
                }
            ]
        },
    )

    title: Title
    year: Annotated[int, Field(ge=1949, le=2200)]
    doc_number: _short(200) | None = None  # type: ignore[valid-type]
    issuer: _short(200) | None = None  # type: ignore[valid-type]
    issued_on: IsoDate | None = None
    tasks: list[ParsedTaskOut] = Field(min_length=1, max_length=1000)
    summary: ImportSummary | None = Field(None, description="Preview only; ignored when sent.")
    warnings: list[Note] = Field(
        default_factory=list,
        max_length=1000,
        description="What a person should check, as sentences (Chinese by default, English on "
        "`Accept-Language: en`); a task's warnings are here too, led by its code.",
        examples=[["未找到印发日期", "WP17：未点名牵头单位，仅列出集合性单位（如“机关各部室”）"]],
    )
    warning_details: list[ImportWarning] = _warning_details(1000)
    existing_plan: ExistingPlan | None = Field(
        None,
        description="Preview only: the plan this notice was already imported as. Importing it "
        "again is refused with 409.",
    )
    source_text: Annotated[str, Field(max_length=2_000_000)] = Field(
        "", description="The notice as read (kept with the import record)."
    )

    @model_validator(mode="after")
    def _references(self) -> "ImportPreview":
        seen: set[str] = set()
        for index, task in enumerate(self.tasks):
            if task.code in seen:
                raise ValueError(f"tasks/{index}: code {task.code} is used twice")
            if task.parent_code is not None and task.parent_code not in seen:
                raise ValueError(
                    f"tasks/{index}: parent_code {task.parent_code} is not an earlier task"
                )
            seen.add(task.code)
        counts = Counter(i.code for task in self.tasks for i in task.indicators)
        repeated = sorted(code for code, n in counts.items() if n > 1)
        if repeated:
            raise ValueError(f"indicator codes {repeated[:5]} are used twice")
        for index, task in enumerate(self.tasks):
            unknown = [code for code in task.related_codes if code not in seen]
            if unknown:
                raise ValueError(f"tasks/{index}: related_codes {unknown} are not tasks")
        if "\x00" in self.source_text:
            raise ValueError("source_text must not contain NUL bytes")
        return self


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
                    "warnings": [
                        "未找到印发日期",
                        "KT5：未找到与之对应的工作要点（统筹抓好相关全省性文件贯彻落实）",
                    ],
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
    warnings: list[str] = Field(
        description="What a person should check, as said when the notice was imported (in the "
        "language of that request)."
    )
    created_at: datetime


class PlanImportDetail(PlanImportRead):
    source_text: str = Field(description="The notice text as imported.")


class PlanImportQuery(ListQuery):
    plan_id: QueryId | None = None
