"""The responsibilities' bulk spec: a unit's role in a task, keyed by task and unit."""

from __future__ import annotations

from app.bulk.spec import Column, Field, Spec, choice, code, not_found
from app.responsibilities.models import ROLES
from app.tasks.bulk import TASK_CHECKS, TASK_FIELDS, TASK_JOIN, TASK_RESOLVED

SPEC = Spec(
    resource="responsibilities",
    table="responsibilities",
    entity_type="responsibility",
    fields=(
        Field("plan", code, "text", description="Plan code (with `task`)."),
        *TASK_FIELDS,
        Field("unit", code, "text", key=True, description="Unit code."),
        Field("role", choice(ROLES), "text"),
    ),
    key=("task_id", "unit_id"),
    columns=(Column("role", "role", default="'lead'"),),
    source=f"""bulk_stage s
        LEFT JOIN plans p ON p.code = s.plan
        {TASK_JOIN}
        LEFT JOIN units u ON u.code = s.unit
        LEFT JOIN responsibilities t ON t.task_id = tk.id AND tk.n = 1 AND t.unit_id = u.id""",
    resolved=(*TASK_RESOLVED, "s.unit", "u.id AS unit_id", "s.role"),
    checks=(
        *TASK_CHECKS,
        not_found("unit", "unit_id IS NULL", "unit with code", "unit"),
    ),
    example_csv="plan,task,unit,role\nHNAST-2024,13,HNAST-BGS,lead\n",
)
