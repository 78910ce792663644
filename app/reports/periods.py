"""Reporting periods: ``2024``, ``2024H1``, ``2024Q2``, ``2024-05``. Pure; no database.

The period rule's one home, in each form it is needed in: Python (:func:`parse_period`,
:class:`Period`, for the API and bulk staging), the pattern the OpenAPI document shows
(:data:`PERIOD_PATTERN`), and SQL (the periods of a plan year, for the obligations).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

FREQUENCY_OF_KIND = {"Y": "annual", "H": "semiannual", "Q": "quarterly", "M": "monthly"}
_MONTHS_PER = {"Y": 12, "H": 6, "Q": 3, "M": 1}

_PATTERNS = (
    (re.compile(r"([0-9]{4})"), "Y"),
    (re.compile(r"([0-9]{4})-?[Hh]([1-2])"), "H"),
    (re.compile(r"([0-9]{4})-?[Qq]([1-4])"), "Q"),
    (re.compile(r"([0-9]{4})-([0-9]{1,2})"), "M"),
    (re.compile(r"([0-9]{4})([0-9]{2})"), "M"),
)


MAX_LENGTH = 16  # as written, spaces around it stripped; longer is never a period
# What `parse_period` accepts, for the document only (its own messages say more than a
# pattern mismatch would): generated clients and validators learn the format from it.
PERIOD_PATTERN = (
    r"^\s*(19[0-9]{2}|2[01][0-9]{2}|2200)"
    r"(-?[Hh][12]|-?[Qq][1-4]|-(0?[1-9]|1[0-2])|0[1-9]|1[0-2])?\s*$"
)


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # Y, H, Q or M
    index: int  # 1 for Y; half, quarter or month number otherwise

    @property
    def frequency(self) -> str:
        return FREQUENCY_OF_KIND[self.kind]

    @property
    def starts_on(self) -> date:
        return date(self.year, (self.index - 1) * _MONTHS_PER[self.kind] + 1, 1)

    @property
    def ends_on(self) -> date:
        month = self.index * _MONTHS_PER[self.kind]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        if self.kind == "Y":
            return f"{self.year}"
        if self.kind == "M":
            return f"{self.year}-{self.index:02d}"
        return f"{self.year}{self.kind}{self.index}"


def parse_period(text: str) -> Period:
    """Read a period in any accepted spelling; ``2024-Q2`` and ``202405`` are normalised."""
    value = text.strip()
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(value)
        if match is None:
            continue
        year = int(match.group(1))
        index = int(match.group(2)) if kind != "Y" else 1
        if not 1900 <= year <= 2200:
            raise InvalidPeriod(f"{text!r}: year out of range")
        if kind == "M" and not 1 <= index <= 12:
            raise InvalidPeriod(f"{text!r}: there is no month {index}")
        return Period(year, kind, index)
    raise InvalidPeriod(f"{text!r} is not a period; use 2024, 2024H1, 2024Q2 or 2024-05")


def periods_of_year(year: int, frequency: str) -> list[Period]:
    kind = next(k for k, f in FREQUENCY_OF_KIND.items() if f == frequency)
    return [Period(year, kind, i) for i in range(1, 12 // _MONTHS_PER[kind] + 1)]


# --- SQL: the periods of a plan year, as the obligations derive them ----------------------


def start_months_sql(frequency: str) -> str:
    """The months (1-12) in which the periods of ``frequency`` begin, as an SQL array."""
    whens = " ".join(
        f"WHEN '{f}' THEN ARRAY[{', '.join(map(str, range(1, 13, _MONTHS_PER[k])))}]"
        for k, f in FREQUENCY_OF_KIND.items()
    )
    return f"(CASE {frequency} {whens} END)"


def length_sql(frequency: str) -> str:
    """How long a period of ``frequency`` lasts, as an SQL interval."""
    whens = " ".join(
        f"WHEN '{f}' THEN interval '{_MONTHS_PER[k]} months'" for k, f in FREQUENCY_OF_KIND.items()
    )
    return f"(CASE {frequency} {whens} END)"


def label_sql(frequency: str, year: str, month: str) -> str:
    """The period of ``frequency`` that begins in ``month`` of ``year``, as ``str(Period)``."""
    labels = {
        "Y": f"{year}::text",
        "M": f"{year} || '-' || lpad({month}::text, 2, '0')",
    }
    whens = " ".join(
        f"WHEN '{f}' THEN "
        + labels.get(k, f"{year} || '{k}' || ({month} + {_MONTHS_PER[k] - 1}) / {_MONTHS_PER[k]}")
        for k, f in FREQUENCY_OF_KIND.items()
    )
    return f"(CASE {frequency} {whens} END)"
