"""Periods as written by people and systems, and as the OpenAPI document describes them."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.reports.periods import (
    FREQUENCY_OF_KIND,
    PERIOD_PATTERN,
    InvalidPeriod,
    label_sql,
    length_sql,
    parse_period,
    periods_of_year,
    start_months_sql,
)


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


@pytest.mark.parametrize("frequency", FREQUENCY_OF_KIND.values())
async def test_the_sql_periods_of_a_year_are_the_python_ones(
    db: AsyncSession, frequency: str
) -> None:
    # The obligations derive a year's periods in SQL; bulk staging and the API in Python.
    frequency_sql, year_sql = "CAST(:frequency AS text)", "CAST(:year AS integer)"
    start = f"make_date({year_sql}, month, 1)"
    end = f"({start} + {length_sql(frequency_sql)} - interval '1 day')::date"
    label = label_sql(frequency_sql, year_sql, "month")
    sql = f"SELECT {label}, {start}, {end} FROM unnest"  # noqa: S608 (the rule's SQL forms)
    sql += f"({start_months_sql(frequency_sql)}) AS start(month) ORDER BY month"
    for year in (2024, 2025):
        rows = (await db.execute(text(sql), {"frequency": frequency, "year": year})).all()
        expected = [(str(p), p.starts_on, p.ends_on) for p in periods_of_year(year, frequency)]
        assert [tuple(r) for r in rows] == expected
        assert all(parse_period(row[0]).frequency == frequency for row in rows)
