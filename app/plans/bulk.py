"""How a bulk row names a plan: by its code (the plans' natural key)."""

from __future__ import annotations

from app.bulk.spec import Field, code

PLAN_FIELD = Field("plan", code, "text", key=True, description="Plan code.")
