"""Where an indicator stands at a date. Pure: the numbers come from SQL, the verdict from here."""

from __future__ import annotations

from datetime import date

AT_RISK_SHARE = 0.8  # at least 80 % of what was expected by now


def elapsed_share(year: int, as_of: date) -> float:
    """The part of the plan year gone by at the end of ``as_of`` (0 before, 1 after)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 1.0
    return ((as_of - start).days + 1) / ((end - start).days + 1)


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
    """achieved / on_track / at_risk / behind / no_data, as the office reads them."""
    if actual is None:
        return "no_data"
    if comparator == "lte":  # zero-tolerance and ceilings: any excess is a failure at once
        if actual > target:
            return "behind"
        return "achieved" if year_over else "on_track"
    if comparator == "gte" and actual >= target:
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
