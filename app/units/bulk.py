"""The units' bulk spec: a unit by its code, its parent by the parent's code."""

from __future__ import annotations

from app.bulk.spec import Check, Column, Field, Spec, choice, code, not_found, text
from app.units.models import UNIT_KINDS

SPEC = Spec(
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
        not_found("parent", "parent IS NOT NULL AND parent_id IS NULL", "unit with code", "parent"),
        Check("parent", "invalid", "parent = code", "'a unit cannot belong to itself'"),
    ),
    example_csv="code,name,kind,parent\nHNAST-BGS,办公室,department,\n",
    tree=True,
)
