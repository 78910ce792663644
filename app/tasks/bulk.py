"""The tasks' bulk spec, and how other resources' rows name a task (by plan + number, or id).

The rules the API applies (app/tasks/rules.py) are applied here in their SQL form.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.bulk.spec import (
    Check,
    Column,
    Field,
    Spec,
    choice,
    identifier,
    integer,
    iso_date,
    not_found,
    text,
)
from app.plans.bulk import PLAN_FIELD
from app.tasks import rules
from app.tasks.models import TASK_KINDS, TASK_STATUSES

# A task named by plan + number (+ kind when numbers repeat across kinds), or by id.
TASK_FIELDS = (
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
TASK_JOIN = """
    LEFT JOIN LATERAL (
        SELECT min(x.id) AS id, count(*) AS n FROM tasks x
        WHERE (s.task_id IS NOT NULL AND x.id = s.task_id
               AND (s.plan IS NULL OR x.plan_id = p.id))
           OR (s.task_id IS NULL AND x.plan_id = p.id AND x.number = s.task
               AND (s.task_kind IS NULL OR x.kind = s.task_kind))
    ) tk ON s.task_id IS NOT NULL OR s.task IS NOT NULL
"""
TASK_CHECKS = (
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
TASK_RESOLVED = (
    "p.id AS plan_ref",
    "s.plan",
    "s.task",
    "s.task_id AS task_ref",
    "coalesce(tk.n, 0) AS task_matches",
    "CASE WHEN tk.n = 1 THEN tk.id END AS task_id",
)


def completed_on_final(status: str, plain: Mapping[str, str]) -> str:
    """A completed record's date, cleared on reopening: the rule the API applies too."""
    return rules.completed_on_sql(
        status=status,
        status_written="x.status",
        written="x.completed_on",
        kept=plain["completed_on"],
        old="x.old_completed_on",
    )


def _task_status(plain: Mapping[str, str]) -> str:
    """Status follows progress: the rule the API applies too."""
    return rules.status_for_progress_sql(plain["status"], plain["progress"])


SPEC = Spec(
    resource="tasks",
    table="tasks",
    entity_type="task",
    fields=(
        PLAN_FIELD,
        Field("kind", choice(TASK_KINDS), "text", key=True),
        Field("number", text(16), "text", key=True, description='The label as printed: "四".'),
        Field("title", text(500), "text"),
        Field("description", text(20000), "text"),
        Field(
            "status",
            choice(TASK_STATUSES),
            "text",
            description=rules.STATUS_DESCRIPTION,
        ),
        Field("progress", integer(0, 100), "int"),
        Field("start_on", iso_date, "date"),
        Field("due_on", iso_date, "date"),
        Field("completed_on", iso_date, "date", description=rules.COMPLETED_ON_DESCRIPTION),
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
        not_found("plan", "plan_id IS NULL", "plan with code", "plan"),
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
            rules.dates_out_of_order_sql("f_start_on", "f_due_on"),
            f"'{rules.DATES_OUT_OF_ORDER}'",
        ),
    ),
    final={
        "status": _task_status,
        "completed_on": lambda plain: completed_on_final(_task_status(plain), plain),
    },
    example_csv="plan,kind,number,title,due_on\nHNAST-2024,work_point,13,全面建成省科技馆新馆,2024-12-31\n",
    tree=True,
)
