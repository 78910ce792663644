"""Where an indicator stands at a date. Pure: the numbers come from SQL, the verdict from here."""

from __future__ import annotations

from datetime import date

from app.i18n import Catalog

# The statuses as people read them (ledger, health reasons).
STATUS_TEXT: Catalog = {
    "achieved": ("已完成", "achieved"),
    "on_track": ("符合进度", "on track"),
    "at_risk": ("略有滞后", "at risk"),
    "behind": ("滞后", "behind"),
    "no_data": ("未报送", "no data"),
}
# How a target reads: ≥200场, ≤0, 约200场 (an `about` target, 左右), 3-5家, 200场.
TARGET_TEXT: Catalog = {
    "gte": ("≥{target}{unit}", "≥{target}{unit}"),
    "lte": ("≤{target}{unit}", "≤{target}{unit}"),
    "eq": ("{target}{unit}", "{target}{unit}"),
    "about": ("约{target}{unit}", "about {target}{unit}"),
    "between": ("{target}-{target_max}{unit}", "{target}-{target_max}{unit}"),
}
AT_RISK_SHARE = 0.8  # at least 80 % of what was expected by now
# An `about` target (6.2%左右, 约200场) is reached within 5 % of its magnitude below it.
ABOUT_TOLERANCE = 0.05


def elapsed_share(year: int, as_of: date) -> float:
    """The part of the plan year gone by at the end of ``as_of`` (0 before, 1 after)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 1.0
    return ((as_of - start).days + 1) / ((end - start).days + 1)


def about_floor(target: float) -> float:
    """The least actual that reaches an `about` target: the target less its tolerance.

    The tolerance is a share of the target's magnitude, so it always lies below the target:
    约200 is reached at 190, a target of -5 at -5.25 (higher is better, as for `gte`). A zero
    target has no magnitude and so no tolerance: it is reached at 0, as `gte` 0 would be.
    """
    # Targets have 4 decimal places and the tolerance is 5 % of them: 6 places hold the floor
    # exactly, so 5.89 reaches 6.2左右 although 6.2 - 0.31 is 5.890000000000001 in floats.
    return round(target - ABOUT_TOLERANCE * abs(target), 6)


def pace_target(comparator: str, target: float) -> float:
    """What the pace runs towards: the target, or for `about` its floor."""
    return about_floor(target) if comparator == "about" else target


def expected_by(target: float, share: float) -> float:
    """Linear pace: the target scaled by the elapsed share of the year."""
    return target * share


def status_of(
    *,
    comparator: str,
    target: float,
    target_max: float | None,
    actual: float | None,
    expected: float,
    year_over: bool,
) -> str:
    """achieved / on_track / at_risk / behind / no_data, as the office reads them.

    ``expected`` is what the pace asks for by now: ``expected_by(pace_target(...), share)``.
    """
    if actual is None:
        return "no_data"
    if comparator == "lte":  # zero-tolerance and ceilings: any excess is a failure at once
        if actual > target:
            return "behind"
        return "achieved" if year_over else "on_track"
    if comparator == "gte" and actual >= target:
        return "achieved"
    # Above an approximate target is no failure; below it, it is paced like `gte` (towards
    # the floor, through ``expected``).
    if comparator == "about" and actual >= about_floor(target):
        return "achieved"
    if comparator == "between" and target <= actual <= (
        target_max if target_max is not None else target
    ):
        return "achieved"
    if comparator == "eq" and actual == target:
        return "achieved"
    if (comparator == "between" and target_max is not None and actual > target_max) or (
        comparator == "eq" and actual > target
    ):
        return "behind"  # overshot: no amount of time brings it back
    if actual >= expected:
        return "on_track"
    if actual >= AT_RISK_SHARE * expected:
        return "at_risk"
    return "behind"
