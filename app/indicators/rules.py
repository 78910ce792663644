"""An indicator's target range: only a `between` target has a target_max, and it is never below
target_value; a target that stops being `between` drops its max. Each rule in Python (for the
API) and in SQL (for bulk uploads), side by side so the two cannot drift apart. Pure.
"""

from __future__ import annotations

from decimal import Decimal

BETWEEN = "between"


def target_max(
    *, comparator: str, comparator_written: bool, max_written: bool, written: Decimal | None,
    kept: Decimal | None,
) -> Decimal | None:  # fmt: skip
    """The max a write leaves: a comparator set to other than `between` clears it unless the
    same write gives one (which the range rule then refuses); otherwise as written or kept."""
    if comparator_written and comparator != BETWEEN and not max_written:
        return None
    return written if max_written else kept


def target_max_sql(*, comparator: str, comparator_written: str, written: str, kept: str) -> str:
    """:func:`target_max` over SQL expressions; ``written`` is NULL when the write gives none
    (an absent column and an empty cell alike: either way the max is cleared)."""
    return (
        f"(CASE WHEN {comparator_written} IS NOT NULL AND {comparator} <> '{BETWEEN}' "
        f"THEN {written} ELSE {kept} END)"
    )
