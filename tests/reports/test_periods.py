"""Periods as written by people and systems, and as the OpenAPI document describes them."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.reports.periods import InvalidPeriod, parse_period
from app.reports.schemas import PERIOD_PATTERN


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("2024", "2024"),
        ("2024H1", "2024H1"),
        ("2024h2", "2024H2"),
        ("2024Q2", "2024Q2"),
        ("2024-Q2", "2024Q2"),
        ("2024-05", "2024-05"),
        ("2024-5", "2024-05"),
        ("202405", "2024-05"),
        (" 2024Q4 ", "2024Q4"),
    ],
)
def test_accepted_spellings_are_normalised(written: str, stored: str) -> None:
    assert str(parse_period(written)) == stored


@pytest.mark.parametrize("written", ["2024Q5", "2024-13", "202413", "2024H3", "1899", "24Q1"])
def test_impossible_periods_are_refused(written: str) -> None:
    with pytest.raises(InvalidPeriod):
        parse_period(written)


@given(st.text(alphabet="0123456789-HhQqx ", max_size=9))
def test_the_documented_pattern_accepts_exactly_what_the_service_reads(written: str) -> None:
    # Generated clients validate against the pattern: it must refuse nothing we take, and
    # promise nothing we refuse.
    try:
        parse_period(written)
        readable = True
    except InvalidPeriod:
        readable = False
    assert (re.fullmatch(PERIOD_PATTERN, written) is not None) == readable


@given(st.from_regex(PERIOD_PATTERN, fullmatch=True))
def test_whatever_the_pattern_allows_is_a_period(written: str) -> None:
    parse_period(written)
