"""The indicators' bulk spec: an indicator by its plan and code, attached to a task."""

from __future__ import annotations

from app.bulk.spec import Check, Column, Field, Spec, amount, choice, code, identifier, text
from app.indicators import rules
from app.indicators.models import AGGREGATIONS, COMPARATORS, FREQUENCIES
from app.plans.bulk import PLAN_FIELD
from app.tasks.bulk import TASK_CHECKS, TASK_JOIN, TASK_RESOLVED
from app.tasks.models import TASK_KINDS

SPEC = Spec(
    resource="indicators",
    table="indicators",
    entity_type="indicator",
    fields=(
        PLAN_FIELD,
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
        {TASK_JOIN}""",
    resolved=(
        *TASK_RESOLVED[:-1],
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
        *TASK_CHECKS,
        Check(
            "target_max",
            "invalid",
            "(f_comparator = 'between') <> (f_target_max IS NOT NULL) "
            "OR f_target_max < f_target_value",
            "'a `between` target needs target_max ≥ target_value; other comparators none'",
        ),
    ),
    # A target that stops being `between` drops its max: the rule the API applies too.
    final={
        "target_max": lambda plain: rules.target_max_sql(
            comparator=plain["comparator"],
            comparator_written="x.comparator",
            written="x.target_max",
            kept=plain["target_max"],
        )
    },
    example_csv="plan,code,task,name,comparator,target_value,frequency\n"
    "HNAST-2024,WP13-1,13,全年接待公众,gte,200,quarterly\n",
)
