"""Upload bodies → numbered records. Pure: no database, no web framework.

Formats: a JSON array of objects, NDJSON (one object a line), CSV (UTF-8 with or without BOM,
or GB18030 as Chinese Excel writes it) and ``.xlsx`` (first sheet, header in the first row).
A record is ``(row, values)``: ``row`` counts records from 1, header excluded; ``values`` maps
column names to what the file holds (``None`` for empty cells), or is a ``RowProblem`` when the
record itself cannot be read (a malformed NDJSON line, a CSV row with too many cells).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from app import zips
from app.charsets import GB_NAMES, UTF8_NAMES, CharsetError, decode_chinese_text

JSON = "application/json"
NDJSON = "application/x-ndjson"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Other names the same formats travel under.
MEDIA_TYPES = {
    JSON: JSON,
    NDJSON: NDJSON,
    "application/ndjson": NDJSON,
    "application/jsonl": NDJSON,
    "application/x-jsonlines": NDJSON,
    CSV: CSV,
    "application/csv": CSV,
    XLSX: XLSX,
}
MAX_COLUMNS = 200


class UnreadableBody(ValueError):
    """The body is not the format its ``Content-Type`` says (or not text in its charset)."""


class UnsupportedFormat(ValueError):
    """A ``Content-Type`` or charset this module does not read."""


@dataclass(frozen=True)
class RowProblem:
    code: str
    message: str


Values = dict[str, Any]
Record = tuple[int, Values | RowProblem]


def media_type_of(content_type: str) -> tuple[str, str]:
    """``(format, charset)`` from a ``Content-Type`` header; raises ``UnsupportedFormat``."""
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    charset = ""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    fmt = MEDIA_TYPES.get(media)
    if fmt is None:
        raise UnsupportedFormat(
            f"cannot read {media or 'a body without Content-Type'}; send application/json, "
            f"{NDJSON}, {CSV} or {XLSX}"
        )
    if charset and charset not in UTF8_NAMES | GB_NAMES:
        raise UnsupportedFormat(f"charset {charset} is not supported; send UTF-8 or GB18030")
    if charset in GB_NAMES and fmt != CSV:
        raise UnsupportedFormat(f"{fmt} is always UTF-8; GB18030 is read only for CSV")
    return fmt, charset


@dataclass
class Parsed:
    """The records of a body, and its header when the format has one."""

    header: list[str] | None
    records: Iterator[Record]


def parse(data: bytes, fmt: str, charset: str = "") -> Parsed:
    """Read a body of the given format; raises ``UnreadableBody`` for what cannot be read."""
    if fmt == JSON:
        return Parsed(None, _json_array(data))
    if fmt == NDJSON:
        return Parsed(None, _ndjson(data))
    if fmt == CSV:
        return _csv(decode_text(data, charset))
    if fmt == XLSX:
        return _xlsx(data)
    raise UnsupportedFormat(fmt)


def decode_text(data: bytes, charset: str = "") -> str:
    """UTF-8 (BOM or not) unless GB18030 is declared; undeclared non-UTF-8 is read as GB18030,
    and a body mixing the two is refused (app.charsets holds the rule)."""
    try:
        return decode_chinese_text(data, charset or None)
    except CharsetError as exc:
        raise UnreadableBody(exc.message) from exc


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LINE = re.compile(rb"[^\r\n]+")
# Finds where each array element ends; orjson then reads the element. Reading the whole array
# at once would hold every record as a Python object: ~18 times the body (148 MiB for
# 100,000 reports of 8 MiB), where one element at a time adds nothing to the body itself.
_scan = json.JSONDecoder().raw_decode


def _json_array(data: bytes) -> Iterator[Record]:
    """The array's elements one at a time; a syntax error, wherever it is, is ``UnreadableBody``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableBody(f"the body is not valid JSON: not UTF-8 (byte {exc.start})") from None
    at = _skip_space(text, 0)
    if not text.startswith("[", at):
        if at == len(text):
            raise UnreadableBody("the body is not valid JSON: it is empty")
        raise UnreadableBody("a JSON upload is an array of objects, one per record")
    return _elements(text, _skip_space(text, at + 1))


def _elements(text: str, at: int) -> Iterator[Record]:
    row = 0
    if not text.startswith("]", at):
        while True:
            row += 1
            try:
                _, end = _scan(text, at)
                item = orjson.loads(text[at:end])
            except json.JSONDecodeError as exc:  # orjson's is one too, placed in the element
                where = exc.pos if exc.doc is text else at + exc.pos
                raise _invalid(text, where, f"{exc.msg} in record {row}") from None
            except (ValueError, RecursionError):  # a number of 4,300 digits, deep nesting
                raise _invalid(text, at, f"record {row} cannot be read") from None
            if isinstance(item, dict):
                yield row, item
            else:
                yield row, RowProblem("not_an_object", "each record must be a JSON object")
            at = _skip_space(text, end)
            if text.startswith(",", at):
                at = _skip_space(text, at + 1)
            elif text.startswith("]", at):
                break
            else:
                raise _invalid(text, at, f"expected `,` or `]` after record {row}")
    if _skip_space(text, at + 1) != len(text):
        raise _invalid(text, at + 1, "more text after the array")


def _skip_space(text: str, at: int) -> int:
    return _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]  # matches the empty string


def _invalid(text: str, at: int, reason: str) -> UnreadableBody:
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    return UnreadableBody(f"the body is not valid JSON: {reason} (line {line}, column {column})")


def _ndjson(data: bytes) -> Iterator[Record]:
    row = 0
    for match in _LINE.finditer(data):  # one line at a time, never a list of them all
        line = match[0]
        if not line.strip():
            continue
        row += 1
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield row, RowProblem("malformed", f"not valid JSON: {exc}")
            continue
        if isinstance(item, dict):
            yield row, item
        else:
            yield row, RowProblem("not_an_object", "each line must be a JSON object")


def _header(cells: list[Any]) -> list[str]:
    names = [("" if cell is None else str(cell)).strip() for cell in cells]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise UnreadableBody("the first row must name the columns")
    if len(names) > MAX_COLUMNS:
        raise UnreadableBody(f"at most {MAX_COLUMNS} columns")
    if "" in names:
        raise UnreadableBody(f"column {names.index('') + 1} of the header has no name")
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise UnreadableBody(f"columns named twice in the header: {', '.join(doubled)}")
    return names


def _csv(text: str) -> Parsed:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise UnreadableBody(f"the CSV header cannot be read: {exc}") from None
    if first is None:
        raise UnreadableBody("the CSV is empty; its first line must name the columns")
    header = _header(first)
    return Parsed(header, _csv_rows(reader, header))


def _csv_rows(reader: Any, header: list[str]) -> Iterator[Record]:
    width = len(header)
    row = 0
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            # A broken quote swallows the rest of the file: nothing after it can be trusted.
            raise UnreadableBody(f"the CSV cannot be read after record {row}: {exc}") from None
        if cells is None:
            return
        if not any(cell.strip() for cell in cells):
            continue
        row += 1
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            yield row, RowProblem("too_many_cells", f"{len(cells)} cells under {width} columns")
            continue
        yield row, {name: (cell.strip() or None) for name, cell in zip(header, cells, strict=False)}


# A workbook is checked before openpyxl inflates it: 48 KB can declare 1.5 GB of cells.
MAX_XLSX_INFLATED_BYTES = 256 * 1024 * 1024
# Rows with nothing in them are skipped; this many in a row end the read with a 400 rather
# than keep the worker parsing millions of declared empty rows (a sheet formatted to the end).
MAX_BLANK_ROWS = 100_000


def _xlsx(data: bytes) -> Parsed:
    from openpyxl import load_workbook

    try:
        zips.check_package(data, max_inflated=MAX_XLSX_INFLATED_BYTES, scan=_check_empty_rows)
    except zips.TooLarge:
        raise UnreadableBody(
            f"the workbook is larger than {MAX_XLSX_INFLATED_BYTES // 2**20} MiB once "
            "uncompressed; split it or send CSV"
        ) from None
    except zips.Refused as exc:
        raise UnreadableBody(str(exc)) from None
    except zips.Damaged as exc:
        raise UnreadableBody(f"not a readable .xlsx workbook ({exc})") from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UnreadableBody(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    if first is None:
        raise UnreadableBody("the first sheet is empty; its first row must name the columns")
    header = _header(list(first))
    # Read whole here: the caller runs this off the event loop, so a slow workbook holds
    # one worker thread, not every request.
    return Parsed(header, iter(list(_xlsx_rows(book, rows, header))))


def _check_empty_rows(info: zipfile.ZipInfo, chunks: Iterator[bytes]) -> None:
    """Refuse a sheet declaring far more rows than it has cells ("<row/>" five million times
    in 48 KB) before openpyxl spends seconds on each million; counted at C speed."""
    if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
        return
    rows = cells = 0
    for chunk in chunks:
        rows += chunk.count(b"<row")
        cells += chunk.count(b"<c ") + chunk.count(b"<c>")
        if rows - cells > MAX_BLANK_ROWS:
            raise zips.Refused(
                f"the sheet declares more than {MAX_BLANK_ROWS:,} rows without cells; "
                "delete the empty rows (or send CSV) and upload it again"
            )


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # Excel keeps every number as a float: 2024 is 2024.0
    return value


def _xlsx_rows(book: Any, rows: Iterator[tuple[Any, ...]], header: list[str]) -> Iterator[Record]:
    width = len(header)
    row = blank = 0
    try:
        for cells in rows:
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                blank += 1
                if blank >= MAX_BLANK_ROWS:
                    raise UnreadableBody(
                        f"the sheet has {MAX_BLANK_ROWS:,} empty rows in a row after record "
                        f"{row}; delete the empty rows (or send CSV) and upload it again"
                    )
                continue
            blank = 0
            row += 1
            if len(cells) > width and any(cell is not None for cell in cells[width:]):
                yield row, RowProblem("too_many_cells", f"cells beyond the {width} named columns")
                continue
            yield row, {name: _cell(cell) for name, cell in zip(header, cells, strict=False)}
    except UnreadableBody:
        raise
    except Exception as exc:
        raise UnreadableBody(
            f"the workbook cannot be read after record {row} ({exc.__class__.__name__})"
        ) from None
    finally:
        book.close()
