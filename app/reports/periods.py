"""Reporting periods: ``2024``, ``2024H1``, ``2024Q2``, ``2024-05``. Pure; no database."""

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
