"""The milestones' bulk spec: a milestone by its task and title; completed as tasks are."""

from __future__ import annotations

from app.bulk.spec import Check, Column, Field, Spec, choice, code, iso_date, text
from app.milestones.models import MILESTONE_STATUSES
from app.tasks import rules
from app.tasks.bulk import (
    TASK_CHECKS,
    TASK_FIELDS,
    TASK_JOIN,
    TASK_RESOLVED,
    completed_on_final,
)

SPEC = Spec(
    resource="milestones",
    table="milestones",
    entity_type="milestone",
    fields=(
        Field("plan", code, "text", description="Plan code (with `task`)."),
        *TASK_FIELDS,
        Field("title", text(500), "text", key=True, description="Unique within its task."),
        Field("due_on", iso_date, "date"),
        Field("status", choice(MILESTONE_STATUSES), "text"),
        Field("completed_on", iso_date, "date", description=rules.COMPLETED_ON_DESCRIPTION),
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
        {TASK_JOIN}
        LEFT JOIN LATERAL (
            SELECT min(m.id) AS id, count(*) AS n FROM milestones m
            WHERE m.task_id = tk.id AND tk.n = 1 AND m.title = s.title
        ) mt ON true
        LEFT JOIN milestones t ON t.id = mt.id AND mt.n = 1""",
    resolved=(
        *TASK_RESOLVED,
        "s.title",
        "coalesce(mt.n, 0) AS same_title",
        "s.due_on",
        "s.status",
        "s.completed_on",
        "s.note",
    ),
    checks=(
        *TASK_CHECKS,
        Check(
            "title",
            "ambiguous",
            "same_title > 1",
            "format('the task has %s milestones titled %s; change them one by one', "
            "same_title, title)",
        ),
    ),
    final={"completed_on": lambda plain: completed_on_final(plain["status"], plain)},
    example_csv="plan,task,title,due_on\nHNAST-2024,13,新馆全面开放,2024-12-31\n",
)
