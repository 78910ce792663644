"""What each bulk resource accepts, how a cell becomes a value, and how rows find their records.

Pure: converters are plain functions (a Pydantic model per row costs more than the rest of the
upload), and the SQL is text the service runs against the staged rows. In that SQL ``s`` is
the staging table and ``t`` the target table, joined on the record's natural key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from app.indicators.models import AGGREGATIONS, COMPARATORS, FREQUENCIES
from app.milestones.models import MILESTONE_STATUSES
from app.reports.periods import InvalidPeriod, Period, parse_period
from app.responsibilities.models import ROLES
from app.tasks import rules as task_rules
from app.tasks.models import TASK_KINDS, TASK_STATUSES
from app.units.models import UNIT_KINDS

MAX_ID = 2**63 - 1
AMOUNT_LIMIT = Decimal(10) ** 15


class FieldError(ValueError):
    """One cell that cannot be used: a stable code and a message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Converter = Callable[[Any], Any]

# --- converters: cell (str from CSV, JSON value, xlsx value) → staged value -----------------

_CODE = re.compile(r"[\w.\-]{1,64}")


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FieldError("invalid_type", "must be text")
    return str(value)


@lru_cache(maxsize=65536)
def _code_of(text: str) -> str:
    text = text.strip()
    if _CODE.fullmatch(text) is None:
        raise FieldError("invalid", "must be 1–64 letters, digits, `_`, `.` or `-`")
    return text


def code(value: Any) -> str:
    return _code_of(_as_text(value))


def text(max_length: int) -> Converter:
    def convert(value: Any) -> str:
        result = _as_text(value).strip()
        if "\x00" in result:
            raise FieldError("invalid", "must not contain NUL bytes")
        if len(result) > max_length:
            raise FieldError("too_long", f"at most {max_length} characters")
        return result

    return convert


def choice(options: tuple[str, ...]) -> Converter:
    allowed = frozenset(options)
    listed = ", ".join(options)

    def convert(value: Any) -> str:
        if not isinstance(value, str) or value.strip() not in allowed:
            raise FieldError("invalid_choice", f"must be one of: {listed}")
        return value.strip()

    return convert


def integer(low: int, high: int) -> Converter:
    def convert(value: Any) -> int:
        if isinstance(value, bool):
            raise FieldError("invalid_type", "must be a whole number")
        if isinstance(value, str):
            stripped = value.strip()
            if not stripped.lstrip("+-").isdigit() or len(stripped) > 20:
                raise FieldError("invalid_type", "must be a whole number")
            value = int(stripped)
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise FieldError("invalid_type", "must be a whole number")
        if not low <= value <= high:
            raise FieldError("out_of_range", f"must be between {low} and {high}")
        return value

    return convert


identifier = integer(1, MAX_ID)


def amount(value: Any) -> Decimal:
    """A target or report value: finite, at most 10¹⁵ in size; stored with 4 decimals."""
    if isinstance(value, bool):
        raise FieldError("invalid_type", "must be a number")
    if isinstance(value, int):
        result = Decimal(value) if -(10**15) <= value <= 10**15 else None
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str) and len(value) <= 64:
        try:
            result = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise FieldError("invalid_type", "must be a number") from None
    elif isinstance(value, Decimal):
        result = value
    else:
        raise FieldError("invalid_type", "must be a number")
    if result is None or not result.is_finite() or abs(result) > AMOUNT_LIMIT:
        raise FieldError("out_of_range", "must be a finite number between -10^15 and 10^15")
    return result


def iso_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return _date_of(value.strip())
        except ValueError:
            pass
    raise FieldError("invalid_date", "must be an ISO 8601 date, e.g. 2024-12-31")


@lru_cache(maxsize=4096)
def _date_of(text: str) -> date:
    if len(text) != 10:
        raise ValueError(text)
    return date.fromisoformat(text)


@lru_cache(maxsize=4096)
def _period_of(text: str) -> Period:
    try:
        return parse_period(text)
    except InvalidPeriod as exc:
        raise FieldError("invalid_period", str(exc)) from None


def period(value: Any) -> Period:
    return _period_of(_as_text(value)[:16])


# --- specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A column of the upload.

    ``stage`` is its type in the staging table; ``key`` fields are part of the natural key and
    must be in every row. ``alternatives`` are other fields that can stand in for this one
    (a task's ``task_id`` instead of ``plan`` + ``task``).
    """

    name: str
    convert: Converter
    stage: str
    key: bool = False
    alternatives: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Column:
    """A target column the upload writes (beyond the natural key).

    It is written when ``field`` is among the upload's columns. An empty cell keeps a
    ``NOT NULL`` column's value (or takes ``default`` on create) and clears a nullable one.
    A ``NOT NULL`` column with no default must be given to create a record.
    """

    name: str
    field: str
    nullable: bool = False
    default: str | None = None  # SQL, for new records


@dataclass(frozen=True)
class Check:
    """A per-row rule over the resolved rows: where ``condition`` holds, the row fails."""

    field: str
    code: str
    condition: str
    message: str  # SQL text expression
    # A reporter's scope checks already refuse these rows (as `forbidden`): not run for them,
    # so one mistake is one error.
    covered_by_scope: bool = False


@dataclass(frozen=True)
class Spec:
    resource: str
    table: str
    entity_type: str  # as the audit trail names it
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # resolved columns that identify a record (written on create)
    columns: tuple[Column, ...]
    source: str  # FROM clause: s (staging) LEFT JOIN ... t (target) ...
    resolved: tuple[str, ...]  # select-list items over `source`
    checks: tuple[Check, ...] = ()
    # column → SQL overriding its value, or a function of every column's plain value (given,
    # else kept, else the default: column → SQL) that gives that SQL
    final: dict[str, str | Callable[[Mapping[str, str]], str]] = field(default_factory=dict)
    insert_extra: dict[str, str] = field(default_factory=dict)
    update_extra: dict[str, str] = field(default_factory=dict)
    reporter_may_upload: bool = False
    example_csv: str = ""
    # Records form a tree through parent_id (units, tasks). A parent may be another new record
    # of the same upload: then `resolved` gives parent_id as minus that row's number, and the
    # service gives the new records their ids before writing them, and refuses loops.
    tree: bool = False

    @property
    def names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


def _not_found(field_name: str, condition: str, what: str, value: str) -> Check:
    return Check(field_name, "not_found", condition, f"format('no {what} %s', {value})")


_PLAN_FIELD = Field("plan", code, "text", key=True, description="Plan code.")

# A task named by plan + number (+ kind when numbers repeat across kinds), or by id.
_TASK_FIELDS = (
    Field(
        "task",
        text(16),
        "text",
        key=True,
        alternatives=("task_id",),
        description="Task number as printed, within the plan.",
    ),
    Field("task_kind", choice(TASK_KINDS), "text", description="Needed when numbers repeat."),
    Field("task_id", identifier, "bigint", description="Instead of plan + task."),
)
_TASK_REF = """
    LEFT JOIN LATERAL (
        SELECT min(x.id) AS id, count(*) AS n FROM tasks x
        WHERE (s.task_id IS NOT NULL AND x.id = s.task_id
               AND (s.plan IS NULL OR x.plan_id = p.id))
           OR (s.task_id IS NULL AND x.plan_id = p.id AND x.number = s.task
               AND (s.task_kind IS NULL OR x.kind = s.task_kind))
    ) tk ON s.task_id IS NOT NULL OR s.task IS NOT NULL
"""
_TASK_CHECKS = (
    Check(
        "plan",
        "not_found",
        "plan IS NOT NULL AND plan_ref IS NULL",
        "format('no plan with code %s', plan)",
    ),
    Check(
        "plan",
        "required",
        "plan IS NULL AND task IS NOT NULL AND task_ref IS NULL",
        "'name the plan of the task, or give task_id'",
    ),
    Check(
        "task",
        "not_found",
        "((plan_ref IS NOT NULL AND task IS NOT NULL) OR task_ref IS NOT NULL) "
        "AND task_matches = 0",
        "CASE WHEN task_ref IS NOT NULL THEN format('no task %s', task_ref) "
        "ELSE format('no task numbered %s in plan %s', task, plan) END",
    ),
    Check(
        "task_kind",
        "ambiguous",
        "task_matches > 1",
        "format('plan %s has %s tasks numbered %s; say which task_kind', plan, task_matches, task)",
    ),
)
_TASK_RESOLVED = (
    "p.id AS plan_ref",
    "s.plan",
    "s.task",
    "s.task_id AS task_ref",
    "coalesce(tk.n, 0) AS task_matches",
    "CASE WHEN tk.n = 1 THEN tk.id END AS task_id",
)


def _completed_on(status: str, plain: Mapping[str, str]) -> str:
    """A completed record's date, cleared on reopening: the rule the API applies too."""
    return task_rules.completed_on_sql(
        status=status,
        status_written="x.status",
        written="x.completed_on",
        kept=plain["completed_on"],
        old="x.old_completed_on",
    )


def _task_status(plain: Mapping[str, str]) -> str:
    """Status follows progress: the rule the API applies too."""
    return task_rules.status_for_progress_sql(plain["status"], plain["progress"])


UNITS = Spec(
    resource="units",
    table="units",
    entity_type="unit",
    fields=(
        Field("code", code, "text", key=True, description="The unit's code (its natural key)."),
        Field("name", text(200), "text"),
        Field("kind", choice(UNIT_KINDS), "text"),
        Field("parent", code, "text", description="Code of the unit or group it belongs to."),
    ),
    key=("code",),
    columns=(
        Column("name", "name"),
        Column("kind", "kind", default="'other'"),
        Column("parent_id", "parent", nullable=True),
    ),
    source="""bulk_stage s
        LEFT JOIN units t ON t.code = s.code
        LEFT JOIN units p ON p.code = s.parent
        LEFT JOIN (SELECT code, min(row) AS row FROM bulk_stage GROUP BY code) np
            ON np.code = s.parent AND p.id IS NULL""",
    resolved=("s.code", "s.name", "s.kind", "s.parent", "coalesce(p.id, -np.row) AS parent_id"),
    checks=(
        _not_found(
            "parent", "parent IS NOT NULL AND parent_id IS NULL", "unit with code", "parent"
        ),
        Check("parent", "invalid", "parent = code", "'a unit cannot belong to itself'"),
    ),
    example_csv="code,name,kind,parent\nHNAST-BGS,办公室,department,\n",
    tree=True,
)

TASKS = Spec(
    resource="tasks",
    table="tasks",
    entity_type="task",
    fields=(
        _PLAN_FIELD,
        Field("kind", choice(TASK_KINDS), "text", key=True),
        Field("number", text(16), "text", key=True, description='The label as printed: "四".'),
        Field("title", text(500), "text"),
        Field("description", text(20000), "text"),
        Field(
            "status",
            choice(TASK_STATUSES),
            "text",
            description=task_rules.STATUS_DESCRIPTION,
        ),
        Field("progress", integer(0, 100), "int"),
        Field("start_on", iso_date, "date"),
        Field("due_on", iso_date, "date"),
        Field("completed_on", iso_date, "date", description=task_rules.COMPLETED_ON_DESCRIPTION),
        Field("parent", text(16), "text", description="Number of the parent task, same plan."),
        Field("parent_kind", choice(TASK_KINDS), "text"),
    ),
    key=("plan_id", "kind", "number"),
    columns=(
        Column("title", "title"),
        Column("description", "description", default="''"),
        Column("status", "status", default="'not_started'"),
        Column("progress", "progress", default="0"),
        Column("start_on", "start_on", nullable=True),
        Column("due_on", "due_on", nullable=True),
        Column("completed_on", "completed_on", nullable=True),
        Column("parent_id", "parent", nullable=True),
    ),
    source="""bulk_stage s
        LEFT JOIN plans p ON p.code = s.plan
        LEFT JOIN tasks t ON t.plan_id = p.id AND t.kind = s.kind AND t.number = s.number
        LEFT JOIN LATERAL (
            SELECT min(x.id) AS id, count(*) AS n FROM tasks x
            WHERE x.plan_id = p.id AND x.number = s.parent
              AND (s.parent_kind IS NULL OR x.kind = s.parent_kind)
        ) pt ON s.parent IS NOT NULL
        LEFT JOIN (
            SELECT c.row AS child, min(n.row) AS row, count(*) AS n
            FROM bulk_stage c JOIN bulk_stage n ON n.plan = c.plan AND n.number = c.parent
                AND (c.parent_kind IS NULL OR n.kind = c.parent_kind)
            GROUP BY c.row
        ) np ON np.child = s.row AND pt.n = 0""",
    resolved=(
        "s.plan",
        "p.id AS plan_id",
        "s.kind",
        "s.number",
        "s.title",
        "s.description",
        "s.status",
        "s.progress",
        "s.start_on",
        "s.due_on",
        "s.completed_on",
        "s.parent",
        "CASE WHEN pt.n > 0 THEN pt.n ELSE coalesce(np.n, 0) END AS parent_matches",
        "CASE WHEN pt.n = 1 THEN pt.id WHEN np.n = 1 THEN -np.row END AS parent_id",
    ),
    checks=(
        _not_found("plan", "plan_id IS NULL", "plan with code", "plan"),
        Check(
            "parent",
            "not_found",
            "plan_id IS NOT NULL AND parent IS NOT NULL AND parent_matches = 0",
            "format('no task numbered %s in plan %s', parent, plan)",
        ),
        Check(
            "parent_kind",
            "ambiguous",
            "parent_matches > 1",
            "format('several tasks are numbered %s; say which parent_kind', parent)",
        ),
        Check(
            "parent",
            "invalid",
            "parent_id IS NOT NULL AND parent_id IN (target_id, -row)",
            "'a task cannot be its own parent'",
        ),
        Check(
            "due_on",
            "invalid",
            "f_start_on > f_due_on",
            "'start_on must not be after due_on'",
        ),
    ),
    final={
        "status": _task_status,
        "completed_on": lambda plain: _completed_on(_task_status(plain), plain),
    },
    example_csv="plan,kind,number,title,due_on\nHNAST-2024,work_point,13,全面建成省科技馆新馆,2024-12-31\n",
    tree=True,
)

RESPONSIBILITIES = Spec(
    resource="responsibilities",
    table="responsibilities",
    entity_type="responsibility",
    fields=(
        Field("plan", code, "text", description="Plan code (with `task`)."),
        *_TASK_FIELDS,
        Field("unit", code, "text", key=True, description="Unit code."),
        Field("role", choice(ROLES), "text"),
    ),
    key=("task_id", "unit_id"),
    columns=(Column("role", "role", default="'lead'"),),
    source=f"""bulk_stage s
        LEFT JOIN plans p ON p.code = s.plan
        {_TASK_REF}
        LEFT JOIN units u ON u.code = s.unit
        LEFT JOIN responsibilities t ON t.task_id = tk.id AND tk.n = 1 AND t.unit_id = u.id""",
    resolved=(*_TASK_RESOLVED, "s.unit", "u.id AS unit_id", "s.role"),
    checks=(
        *_TASK_CHECKS,
        _not_found("unit", "unit_id IS NULL", "unit with code", "unit"),
    ),
    example_csv="plan,task,unit,role\nHNAST-2024,13,HNAST-BGS,lead\n",
)

MILESTONES = Spec(
    resource="milestones",
    table="milestones",
    entity_type="milestone",
    fields=(
        Field("plan", code, "text", description="Plan code (with `task`)."),
        *_TASK_FIELDS,
        Field("title", text(500), "text", key=True, description="Unique within its task."),
        Field("due_on", iso_date, "date"),
        Field("status", choice(MILESTONE_STATUSES), "text"),
        Field("completed_on", iso_date, "date", description=task_rules.COMPLETED_ON_DESCRIPTION),
        Field("note", text(4000), "text"),
    ),
    key=("task_id", "title"),
    columns=(
        Column("due_on", "due_on"),
        Column("status", "status", default="'pending'"),
        Column("completed_on", "completed_on", nullable=True),
        Column("note", "note", default="''"),
    ),
    source=f"""bulk_stage s
        LEFT JOIN plans p ON p.code = s.plan
        {_TASK_REF}
        LEFT JOIN LATERAL (
            SELECT min(m.id) AS id, count(*) AS n FROM milestones m
            WHERE m.task_id = tk.id AND tk.n = 1 AND m.title = s.title
        ) mt ON true
        LEFT JOIN milestones t ON t.id = mt.id AND mt.n = 1""",
    resolved=(
        *_TASK_RESOLVED,
        "s.title",
        "coalesce(mt.n, 0) AS same_title",
        "s.due_on",
        "s.status",
        "s.completed_on",
        "s.note",
    ),
    checks=(
        *_TASK_CHECKS,
        Check(
            "title",
            "ambiguous",
            "same_title > 1",
            "format('the task has %s milestones titled %s; change them one by one', "
            "same_title, title)",
        ),
    ),
    final={"completed_on": lambda plain: _completed_on(plain["status"], plain)},
    example_csv="plan,task,title,due_on\nHNAST-2024,13,新馆全面开放,2024-12-31\n",
)

INDICATORS = Spec(
    resource="indicators",
    table="indicators",
    entity_type="indicator",
    fields=(
        _PLAN_FIELD,
        Field("code", code, "text", key=True, description="Unique within the plan."),
        Field(
            "task",
            text(16),
            "text",
            alternatives=("task_id",),
            description="Number of its task, in the plan.",
        ),
        Field("task_kind", choice(TASK_KINDS), "text"),
        Field("task_id", identifier, "bigint", description="Instead of `task`."),
        Field("name", text(200), "text"),
        Field("unit_label", text(32), "text"),
        Field("comparator", choice(COMPARATORS), "text"),
        Field("target_value", amount, "numeric(20, 4)"),
        Field("target_max", amount, "numeric(20, 4)"),
        Field("baseline", amount, "numeric(20, 4)"),
        Field("aggregation", choice(AGGREGATIONS), "text"),
        Field("frequency", choice(FREQUENCIES), "text"),
        Field("source_text", text(20000), "text"),
    ),
    key=("plan_id", "code"),
    columns=(
        Column("task_id", "task"),
        Column("name", "name"),
        Column("unit_label", "unit_label", default="''"),
        Column("comparator", "comparator"),
        Column("target_value", "target_value"),
        Column("target_max", "target_max", nullable=True),
        Column("baseline", "baseline", nullable=True),
        Column("aggregation", "aggregation", default="'sum'"),
        Column("frequency", "frequency", default="'annual'"),
        Column("source_text", "source_text", default="''"),
    ),
    source=f"""bulk_stage s
        LEFT JOIN plans p ON p.code = s.plan
        LEFT JOIN indicators t ON t.plan_id = p.id AND t.code = s.code
        {_TASK_REF}""",
    resolved=(
        *_TASK_RESOLVED[:-1],
        "p.id AS plan_id",
        "CASE WHEN tk.n = 1 THEN tk.id END AS task_id",
        "s.code",
        "s.name",
        "s.unit_label",
        "s.comparator",
        "s.target_value",
        "s.target_max",
        "s.baseline",
        "s.aggregation",
        "s.frequency",
        "s.source_text",
    ),
    checks=(
        *_TASK_CHECKS,
        Check(
            "target_max",
            "invalid",
            "(f_comparator = 'between') <> (f_target_max IS NOT NULL) "
            "OR f_target_max < f_target_value",
            "'a `between` target needs target_max ≥ target_value; other comparators none'",
        ),
    ),
    example_csv="plan,code,task,name,comparator,target_value,frequency\n"
    "HNAST-2024,WP13-1,13,全年接待公众,gte,200,quarterly\n",
)

REPORTS = Spec(
    resource="indicator-reports",
    table="indicator_reports",
    entity_type="indicator_report",
    fields=(
        _PLAN_FIELD,
        Field("indicator", code, "text", key=True, description="Indicator code, in the plan."),
        Field("unit", code, "text", key=True, description="Unit code."),
        Field("period", period, "text", key=True, description="2024, 2024H1, 2024Q2, 2024-05."),
        Field("value", amount, "numeric(20, 4)"),
        Field("note", text(4000), "text"),
        Field("status", choice(("draft", "submitted")), "text"),
    ),
    key=("indicator_id", "unit_id", "period", "period_start", "period_end"),
    columns=(
        Column("value", "value"),
        Column("note", "note", default="''"),
        Column("status", "status", default="'submitted'"),
    ),
    # rs: the tasks each unit of the upload leads or takes part in, itself or through a group
    # it belongs to (the rule of app.auth.scope.unit_responsible_for), walked once per unit.
    source="""bulk_stage s
        LEFT JOIN plans p ON p.code = s.plan
        LEFT JOIN indicators i ON i.plan_id = p.id AND i.code = s.indicator
        LEFT JOIN units u ON u.code = s.unit
        LEFT JOIN indicator_reports t
            ON t.indicator_id = i.id AND t.unit_id = u.id AND t.period = s.period
        LEFT JOIN (
            WITH RECURSIVE up(unit_id, id) AS (
                SELECT DISTINCT su.id, su.id FROM bulk_stage ss JOIN units su ON su.code = ss.unit
                UNION
                SELECT up.unit_id, g.parent_id FROM up JOIN units g ON g.id = up.id
                WHERE g.parent_id IS NOT NULL
            )
            SELECT DISTINCT up.unit_id, r.task_id
            FROM up JOIN responsibilities r ON r.unit_id = up.id
        ) rs ON rs.unit_id = u.id AND rs.task_id = i.task_id""",
    resolved=(
        "s.plan",
        "s.indicator",
        "s.unit",
        "p.id AS plan_id",
        "p.year AS plan_year",
        "i.id AS indicator_id",
        "i.frequency AS indicator_frequency",
        "i.task_id AS indicator_task_id",
        "u.id AS unit_id",
        # Responsible for the task, or the indicator's reporter (the unit or its group): the
        # rule of app.auth.scope.unit_may_report.
        "(rs.unit_id IS NOT NULL OR coalesce(i.reporter_unit_id IN (u.id, u.parent_id), false))"
        " AS unit_responsible",
        "s.period",
        "s.period_start",
        "s.period_end",
        "s.period_frequency",
        "s.value",
        "s.note",
        "s.status",
    ),
    checks=(
        _not_found("plan", "plan_id IS NULL", "plan with code", "plan"),
        Check(
            "indicator",
            "not_found",
            "plan_id IS NOT NULL AND indicator_id IS NULL",
            "format('plan %s has no indicator %s', plan, indicator)",
        ),
        _not_found("unit", "unit_id IS NULL", "unit with code", "unit"),
        Check(
            "period",
            "outside_plan_year",
            "plan_year IS NOT NULL AND extract(year FROM period_start) <> plan_year",
            "format('%s is outside the plan year %s', period, plan_year)",
        ),
        Check(
            "period",
            "wrong_frequency",
            "indicator_frequency IS NOT NULL AND indicator_frequency <> period_frequency",
            "format('the indicator is reported %s; %s is a %s period', "
            "indicator_frequency, period, period_frequency)",
        ),
        Check(
            "unit",
            "not_responsible",
            "target_id IS NULL AND unit_id IS NOT NULL AND indicator_task_id IS NOT NULL "
            "AND NOT unit_responsible",
            "format('unit %s is not responsible for the task of indicator %s', unit, indicator)",
            covered_by_scope=True,
        ),
        Check(
            "value",
            "locked",
            "changed AND old_status = 'approved'",
            "'the report is approved and locked; ask for it to be reopened'",
        ),
    ),
    # A returned report that is corrected goes back to the reviewer; absent a status column.
    final={
        "status": "coalesce(x.status, CASE WHEN x.old_status = 'returned' AND "
        "(coalesce(x.value, x.old_value), coalesce(x.note, x.old_note)) "
        "IS DISTINCT FROM (x.old_value, x.old_note) "
        "THEN 'submitted' END, x.old_status, 'submitted')"
    },
    # Punctuality (the unit scorecard) is judged by when a value was first put forward.
    insert_extra={
        "submitted_by_key_id": "CAST(:actor_key_id AS bigint)",
        "first_submitted_at": "CASE WHEN r.f_status <> 'draft' THEN now() END",
    },
    update_extra={
        "submitted_by_key_id": "CAST(:actor_key_id AS bigint)",
        "first_submitted_at": "coalesce(t.first_submitted_at, "
        "CASE WHEN r.f_status <> 'draft' THEN now() END)",
    },
    reporter_may_upload=True,
    example_csv="plan,indicator,unit,period,value,note\n"
    "HNAST-2024,WP13-1,HNAST-KJG,2024Q2,58.5,二季度接待公众58.5万人次\n",
)

SPECS: dict[str, Spec] = {
    spec.resource: spec
    for spec in (UNITS, TASKS, RESPONSIBILITIES, MILESTONES, INDICATORS, REPORTS)
}


def stage_columns(spec: Spec) -> list[tuple[str, str]]:
    """The staging table's columns after ``row``: one per field, periods with their dates."""
    columns = [(f.name, f.stage) for f in spec.fields]
    if any(f.name == "period" for f in spec.fields):
        columns += [("period_start", "date"), ("period_end", "date"), ("period_frequency", "text")]
    return columns
