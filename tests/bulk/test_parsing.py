"""The pure parser: bodies of each format become numbered records; garbage is refused cleanly."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.bulk import parsing
from app.bulk.spec import FieldError, amount, code, iso_date
from app.reports.bulk import period


def records(data: bytes, content_type: str) -> list[parsing.Record]:
    fmt, charset = parsing.media_type_of(content_type)
    return list(parsing.parse(data, fmt, charset).records)


def test_csv_rows_are_numbered_without_the_header_and_blank_lines() -> None:
    data = b"a,b\n1,x\n\n2, y \n"
    assert records(data, "text/csv") == [(1, {"a": "1", "b": "x"}), (2, {"a": "2", "b": "y"})]


def test_gb18030_is_detected_and_declared() -> None:
    data = "名称,备注\n办公室,督查\n".encode("gb18030")
    expected = [(1, {"名称": "办公室", "备注": "督查"})]
    assert records(data, "text/csv") == expected
    assert records(data, "text/csv; charset=GB18030") == expected


def test_declared_utf8_that_is_not_is_unreadable() -> None:
    with pytest.raises(parsing.UnreadableBody):
        records("a\n办\n".encode("gb18030"), "text/csv; charset=utf-8")


def test_a_csv_row_with_extra_cells_is_a_row_problem() -> None:
    (row, problem), *_ = records(b"a,b\n1,2,3\n", "text/csv")
    assert isinstance(problem, parsing.RowProblem)
    assert (row, problem.code) == (1, "too_many_cells")


@pytest.mark.parametrize("header", [b",b\n", b"a,a\n", b"\n"])
def test_bad_headers_are_unreadable(header: bytes) -> None:
    with pytest.raises(parsing.UnreadableBody):
        records(header + b"1,2\n", "text/csv")


def test_ndjson_lines_are_records_and_bad_lines_row_problems() -> None:
    found = records(b'{"a": 1}\n\nnot json\n[1]\n', "application/x-ndjson")
    assert found[0] == (1, {"a": 1})
    assert [(r, p.code) for r, p in found[1:]] == [(2, "malformed"), (3, "not_an_object")]  # type: ignore[union-attr]


def test_a_json_array_is_read_one_record_at_a_time() -> None:
    # The first record comes before the rest is read: the array is never held whole as objects.
    parsed = parsing.parse(b'[{"a": 1},\n {"a": tru}]', parsing.JSON)
    assert next(iter(parsed.records)) == (1, {"a": 1})
    with pytest.raises(parsing.UnreadableBody, match=r"record 2 \(line 2, column 8\)"):
        list(parsed.records)


@pytest.mark.parametrize(
    "body",
    [b"", b"{}", b'[{"a": 1},]', b'[{"a": 1} {"a": 2}]', b'[{"a": NaN}]', b"[" * 10_000, b"[]x"],
)
def test_what_is_not_a_json_array_is_unreadable(body: bytes) -> None:
    with pytest.raises(parsing.UnreadableBody):
        records(body, "application/json")


def test_json_arrays_may_start_with_a_bom_and_be_empty() -> None:
    assert records(b'\xef\xbb\xbf [ {"a": 1} ] ', "application/json") == [(1, {"a": 1})]
    assert records(b" [ ] ", "application/json") == []


@pytest.mark.parametrize(
    "content_type",
    ["application/xml", "text/csv; charset=latin-1", "application/json; charset=gbk"],
)
def test_unsupported_formats(content_type: str) -> None:
    with pytest.raises(parsing.UnsupportedFormat):
        parsing.media_type_of(content_type)


@given(st.binary(max_size=300))
def test_any_bytes_parse_or_are_refused_cleanly(data: bytes) -> None:
    for content_type in ("text/csv", "application/x-ndjson", "application/json"):
        with contextlib.suppress(parsing.UnreadableBody):
            records(data, content_type)


def test_converters() -> None:
    assert code(" HN-01 ") == "HN-01"
    assert amount("1,234.5") == amount(1234.5)
    assert str(period("2024-q2")) == "2024Q2"
    assert iso_date("2024-12-31").day == 31
    for convert, value in ((code, "a b"), (amount, float("nan")), (iso_date, "20241231")):
        with pytest.raises(FieldError):
            convert(value)


def test_a_period_is_read_whole_as_the_api_reads_it() -> None:
    # Cut at 16 characters before stripping, "2024Q2" with trailing text once passed.
    assert str(period("   " * 10 + "2024Q2")) == "2024Q2"
    with pytest.raises(FieldError) as refused:
        period("2024Q2" + " " * 10 + "junk")
    assert refused.value.code == "invalid_period"
