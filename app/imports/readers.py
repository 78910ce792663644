"""Uploaded notices (.txt, .csv, .docx, .xlsx, .pdf) as a ``Document`` of text and tables.

Pure: no database, no web framework. ``read_notice`` raises only ``NoticeReadError``: the
format libraries raise many exception types on damaged or hostile bytes, and every one of them
means the same thing to the person who sent the file. Work is bounded before a library gets to
inflate anything (zip and Flate bombs, millions of declared rows or tags, giant cells, endless
pages, ruling that makes table finding quadratic).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import statistics
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import docx
import openpyxl
import pdfplumber
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from openpyxl.utils.cell import range_boundaries
from pdfplumber.table import merge_edges
from pdfplumber.utils import cluster_objects, dedupe_chars

from app import zips
from app.charsets import CharsetError, decode_chinese_text
from app.imports.document import Block, Document, NoticeReadError, Table
from app.imports.word_numbering import WordNumbering

__all__ = [
    "MAX_BLANK_ROWS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_INFLATED_BYTES",
    "MAX_PDF_INFLATED_BYTES",
    "MAX_PDF_PAGES",
    "MAX_ROWS",
    "read_notice",
]

MAX_INFLATED_BYTES = 50 * 1024 * 1024  # a .docx / .xlsx once unzipped
MAX_ROWS = 20_000  # per table or sheet
MAX_COLUMNS = 200
MAX_CELL_CHARS = 50_000
MAX_BLANK_ROWS = 1_000  # blank rows past the row limit (or the last data) that end a sheet
MAX_PDF_PAGES = 500
MAX_PDF_INFLATED_BYTES = 128 * 1024 * 1024  # Flate streams other than images, all together
_MAX_TABLE_CELLS = 1_000_000  # per .docx table, after merged cells are spread out
_MAX_MERGED_CELLS = MAX_ROWS * MAX_COLUMNS  # cells filled from merged ranges, per sheet
# pdfplumber's cell search is quadratic in the ruling's crossings (10^4 take seconds); a
# page with a 60 x 12 table has ~800. Beyond these, pages are read as text only.
_MAX_PAGE_CROSSINGS = 3_000
_MAX_PDF_CROSSINGS = 30_000
_MAX_DOCX_TAGS = 2_000_000  # XML tags in a .docx: a 300-page report has ~10^6
_MAX_XLSX_TAGS = 200_000  # openpyxl needs ~3-7 µs a tag; a notice's workbook has ~10^4
_MAX_PARAGRAPHS = 20_000  # in a .docx, tables' included; python-docx needs ~20 µs each

_FORMAT_NAMES = {
    "text": "text",
    "csv": "CSV",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "pdf": "PDF",
}
_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".csv": "csv",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".pdf": "pdf",
}
_UNSUPPORTED_EXTENSIONS = frozenset({".doc", ".xls", ".wps", ".et", ".rtf", ".odt", ".ods"})
_MEDIA_TYPES = {
    "text/plain": "text",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": "xlsx",
    "application/pdf": "pdf",
}
_UNSUPPORTED_MEDIA_TYPES = frozenset({"application/msword", "application/rtf", "text/rtf"})
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LEGACY_MESSAGE = (
    "Old-format .doc/.xls files (and password-protected Office files) cannot be read; "
    "save the file as .docx or .xlsx without a password and upload it again."
)


def read_notice(
    data: bytes,
    *,
    filename: str | None = None,
    media_type: str | None = None,
    charset: str | None = None,
) -> Document:
    """The blocks of an uploaded notice in reading order; NoticeReadError if it cannot be read.

    The format comes from the file name's extension, else the media type, else the first
    bytes. ``charset`` (or a ``charset=`` parameter of ``media_type``) applies to text and CSV.
    """
    fmt = "text"
    try:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise NoticeReadError("The upload must be the bytes of a file.")
        data = bytes(data)
        essence, declared = _parse_media_type(media_type)
        fmt = _detect(data, filename, essence)
        return _READERS[fmt](data, charset or declared)
    except NoticeReadError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise NoticeReadError(
            f"The {_FORMAT_NAMES[fmt]} file is too large or too deeply nested to read.",
            code="too_large",
        ) from exc
    except Exception as exc:  # any library's surprise on bad bytes is a damaged file
        raise NoticeReadError(
            f"The {_FORMAT_NAMES[fmt]} file could not be read; it may be damaged."
        ) from exc


# --------------------------------------------------------------------------- format detection


def _parse_media_type(media_type: str | None) -> tuple[str, str | None]:
    if not isinstance(media_type, str):
        return "", None
    essence, *params = media_type.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return essence.strip().lower(), charset


def _detect(data: bytes, filename: str | None, media_type: str) -> str:
    # A .doc renamed to .docx is common; say what it really is rather than "damaged".
    if data.startswith(_OLE2_MAGIC):
        raise NoticeReadError(_LEGACY_MESSAGE, code="unsupported_format")
    extension = ""
    if isinstance(filename, str) and "." in filename:
        extension = "." + filename.rsplit(".", 1)[1].strip().lower()
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    if extension in _UNSUPPORTED_EXTENSIONS or media_type in _UNSUPPORTED_MEDIA_TYPES:
        sniffed = _sniff(data)  # a .docx saved under a .doc name is still a .docx
        if sniffed != "text":
            return sniffed
        raise NoticeReadError(
            f"{extension or 'This'} files cannot be read; save the notice as .docx, .xlsx, "
            ".pdf or .txt and upload it again.",
            code="unsupported_format",
        )
    if media_type in _MEDIA_TYPES:
        return _MEDIA_TYPES[media_type]
    return _sniff(data)


def _sniff(data: bytes) -> str:
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"{\\rtf"):
        raise NoticeReadError(
            "RTF files cannot be read; save the notice as .docx and upload it again.",
            code="unsupported_format",
        )
    if not data.startswith(b"PK\x03\x04"):
        return "text"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise NoticeReadError("The file is a damaged zip archive.") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise NoticeReadError(
            "OpenDocument files cannot be read; save the notice as .docx or .xlsx and upload "
            "it again.",
            code="unsupported_format",
        )
    raise NoticeReadError("The file is a zip archive that is neither a .docx nor an .xlsx file.")


# --------------------------------------------------------------------------- text and CSV


def _read_text(data: bytes, charset: str | None) -> Document:
    return Document((_decode(data, charset),), "text")


def _decode(data: bytes, charset: str | None) -> str:
    try:
        return decode_chinese_text(data, charset)
    except CharsetError as exc:
        code = "unsupported_format" if exc.unsupported else "unreadable_file"
        raise NoticeReadError(exc.message, code=code) from exc


def _read_csv(data: bytes, charset: str | None) -> Document:
    text = _decode(data, charset)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_delimiter(text))
    rows: list[list[str]] = []
    try:
        for raw in reader:
            cells = [_cell(value) for value in raw]
            if not any(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise NoticeReadError(
                    f"The CSV file has more than {MAX_ROWS:,} rows.", code="too_large"
                )
            rows.append(cells)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _cell_too_long() from exc
        raise NoticeReadError(f"The CSV file is malformed (line {reader.line_num:,}).") from exc
    table = _table(rows, "CSV file")
    return Document((table,) if table.rows else (), "csv")


def _csv_delimiter(text: str) -> str:
    # Sniffer's regexes are quadratic in the sample; a few lines tell the delimiter.
    sample = "\n".join(text[:4096].split("\n")[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:  # one column, or nothing to tell the delimiters apart
        return ","


def _cell(value: str) -> str:
    if len(value) > MAX_CELL_CHARS:
        raise _cell_too_long()
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _cell_too_long() -> NoticeReadError:
    return NoticeReadError(
        f"A cell holds more than {MAX_CELL_CHARS:,} characters.", code="too_large"
    )


def _table(rows: Sequence[Sequence[str]], where: str) -> Table:
    """A Table of ``rows`` padded to the widest row, trailing empty columns dropped."""
    width = max((_used_width(row) for row in rows), default=0)
    if width > MAX_COLUMNS:
        raise NoticeReadError(f"The {where} has more than {MAX_COLUMNS} columns.", code="too_large")
    return Table(tuple(tuple(row[:width]) + ("",) * (width - len(row)) for row in rows))


def _used_width(row: Sequence[str]) -> int:
    for index in range(len(row) - 1, -1, -1):
        if row[index]:
            return index + 1
    return 0


# --------------------------------------------------------------------------- zip packages


def _check_zip(data: bytes, what: str, *, max_tags: int) -> None:
    """Refuse a package that is not a zip, inflates past MAX_INFLATED_BYTES or holds more than
    ``max_tags`` XML tags ("<"), before a library parses it.

    The size alone is not enough: 30 MB of ``<row/>`` keeps openpyxl busy for over a minute,
    so the markup of every XML part is counted too (at C speed, streaming, stopping at the
    limit).
    """
    tags = 0

    def count_tags(info: zipfile.ZipInfo, chunks: Iterator[bytes]) -> None:
        nonlocal tags
        first = next(chunks, b"")
        if not first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return  # an image or other binary part: no XML parser reads it
        for chunk in itertools.chain([first], chunks):
            tags += chunk.count(b"<")
            if tags > max_tags:
                raise zips.Refused(f"The {what} file has too much content to read.")

    try:
        zips.check_package(data, max_inflated=MAX_INFLATED_BYTES, scan=count_tags)
    except zips.TooLarge:
        raise NoticeReadError(
            f"The {what} file is larger than {MAX_INFLATED_BYTES // 2**20} MiB once uncompressed.",
            code="too_large",
        ) from None
    except zips.Refused as exc:
        raise NoticeReadError(str(exc), code="too_large") from None
    except zips.Damaged as exc:
        raise NoticeReadError(f"The file is not a valid {what} file.") from exc


# --------------------------------------------------------------------------- .docx

_W_P = qn("w:p")
_W_TBL = qn("w:tbl")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_SDT = qn("w:sdt")
_W_SDT_CONTENT = qn("w:sdtContent")
_W_CUSTOM_XML = qn("w:customXml")
_W_VAL = qn("w:val")


def _read_docx(data: bytes, charset: str | None) -> Document:
    _check_zip(data, "Word (.docx)", max_tags=_MAX_DOCX_TAGS)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for malformed packages
        raise NoticeReadError("The file is not a valid Word (.docx) file.") from exc
    reader = _DocxReader(document, WordNumbering.of(document))
    return Document(tuple(reader.blocks(document.element.body)), "docx")


@dataclass
class _DocxReader:
    document: DocxDocument
    numbering: WordNumbering
    paragraphs: int = 0

    def blocks(self, parent: Any) -> Iterator[Block]:
        for child in _content(parent):
            if child.tag == _W_P:
                yield self.paragraph(child)
            elif child.tag == _W_TBL:
                table = self.table(child)
                if table.rows:
                    yield table

    def paragraph(self, p: Any) -> str:
        self.paragraphs += 1
        if self.paragraphs > _MAX_PARAGRAPHS:
            raise NoticeReadError(
                f"The Word file has more than {_MAX_PARAGRAPHS:,} paragraphs.", code="too_large"
            )
        paragraph = Paragraph(p, self.document)
        return self.numbering.label(paragraph) + paragraph.text

    def table(self, tbl: Any) -> Table:
        """Rows on the table grid: a merged cell's text in every grid cell it covers."""
        rows: list[list[str]] = []
        above: list[str] = []
        cells = 0
        for tr in _content(tbl):
            if tr.tag != _W_TR:
                continue
            row = [""] * _grid_count(tr, "w:gridBefore")
            for tc in _content(tr):
                if tc.tag != _W_TC:
                    continue
                span = _grid_count(tc, "w:gridSpan", default=1)
                start = len(row)
                if _merge_continues(tc, "w:vMerge"):
                    row.extend(
                        above[start + i] if start + i < len(above) else "" for i in range(span)
                    )
                elif _merge_continues(tc, "w:hMerge"):  # Word 97 style horizontal merge
                    row.extend([row[-1] if row else ""] * span)
                else:
                    row.extend([self.cell(tc)] * span)
                if len(row) > MAX_COLUMNS:
                    raise NoticeReadError(
                        f"A table in the Word file has more than {MAX_COLUMNS} columns.",
                        code="too_large",
                    )
            row.extend([""] * _grid_count(tr, "w:gridAfter"))
            cells += len(row)
            if len(rows) >= MAX_ROWS or cells > _MAX_TABLE_CELLS:
                raise NoticeReadError(
                    "A table in the Word file is too large to read.", code="too_large"
                )
            rows.append(row)
            above = row
        width = max((len(row) for row in rows), default=0)
        return Table(tuple(tuple(row) + ("",) * (width - len(row)) for row in rows))

    def cell(self, tc: Any) -> str:
        parts: list[str] = []
        for child in _content(tc):
            if child.tag == _W_P:
                parts.append(self.paragraph(child))
            elif child.tag == _W_TBL:  # a nested table: its rows as lines of this cell
                for row in self.table(child).rows:
                    parts.append(" ".join(_distinct(cell for cell in row if cell)))
        return "\n".join(parts).strip()


def _content(parent: Any) -> Iterator[Any]:
    """Children of a body, row or cell, looking through content controls and custom XML."""
    for child in parent.iterchildren():
        if child.tag == _W_SDT:
            content = child.find(_W_SDT_CONTENT)
            if content is not None:
                yield from _content(content)
        elif child.tag == _W_CUSTOM_XML:
            yield from _content(child)
        else:
            yield child


def _grid_count(node: Any, tag: str, *, default: int = 0) -> int:
    """A w:gridSpan / w:gridBefore / w:gridAfter count, clamped so junk cannot blow up a row."""
    props = node.find(qn("w:tcPr") if node.tag == _W_TC else qn("w:trPr"))
    element = None if props is None else props.find(qn(tag))
    value = None if element is None else element.get(_W_VAL)
    try:
        count = int(value) if value is not None else default
    except ValueError:
        count = default
    return max(default, min(count, MAX_COLUMNS + 1))


def _merge_continues(tc: Any, tag: str) -> bool:
    props = tc.find(qn("w:tcPr"))
    element = None if props is None else props.find(qn(tag))
    return element is not None and element.get(_W_VAL, "continue") == "continue"


def _distinct(cells: Iterable[str]) -> list[str]:
    """Cells with consecutive repeats (a merged cell spread over the grid) given once."""
    out: list[str] = []
    for cell in cells:
        if not out or out[-1] != cell:
            out.append(cell)
    return out


# --------------------------------------------------------------------------- .xlsx

# Read-only openpyxl does not report merged ranges; they are <mergeCell ref="A1:B3"/>
# elements after the sheet data, found here without building a tree of the sheet.
_MERGE_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]{0,200}?\bref\s*=\s*[\"']"
    rb"([A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?)[\"']"
)


def _read_xlsx(data: bytes, charset: str | None) -> Document:
    _check_zip(data, "Excel (.xlsx)", max_tags=_MAX_XLSX_TAGS)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many types for malformed packages
        raise NoticeReadError("The file is not a valid Excel (.xlsx) file.") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            tables = [_sheet_table(sheet, archive) for sheet in workbook.worksheets]
    finally:
        workbook.close()
    return Document(tuple(table for table in tables if table.rows), "xlsx")


def _sheet_table(sheet: Any, archive: zipfile.ZipFile) -> Table:
    """The sheet's cells from A1 to the last data, merged ranges filled in.

    Blank rows cost a little each (openpyxl fills gaps between declared row numbers), so the
    scan goes on through blanks only up to the row limit, and a little past it to see whether
    data continues there; data within the limit is never skipped.
    """
    sheet.reset_dimensions()  # a declared A1:XFD5000000 must not size the scan
    data: dict[int, list[str]] = {}
    last_row = width = 0
    # One column more than allowed, to see data beyond the limit.
    rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
    for number, values in enumerate(rows, start=1):
        cells = [] if values.count(None) == len(values) else [_xlsx_text(v) for v in values]
        used = _used_width(cells)
        if not used:
            if number > max(MAX_ROWS, last_row) + MAX_BLANK_ROWS:
                break
            continue
        if number > MAX_ROWS or used > MAX_COLUMNS:
            limit = f"{MAX_ROWS:,} rows" if number > MAX_ROWS else f"{MAX_COLUMNS} columns"
            raise NoticeReadError(
                f"The worksheet {str(sheet.title)[:40]!r} has data beyond {limit}.",
                code="too_large",
            )
        data[number] = cells
        last_row, width = number, max(width, used)
    grid = [data.get(number) or [""] * width for number in range(1, last_row + 1)]
    _fill_merged(grid, width, _merged_ranges(sheet, archive))
    return _table([row for row in grid if any(row[:width])], "worksheet")


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _cell(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return _cell(str(value))


def _merged_ranges(sheet: Any, archive: zipfile.ZipFile) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range of ``sheet``."""
    path = getattr(sheet, "_worksheet_path", None)  # how openpyxl found the sheet's part
    if not isinstance(path, str):
        return []
    try:
        xml = archive.read(path.lstrip("/"))  # bounded: the package passed _check_zip
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, EOFError):
        return []
    ranges = []
    for match in _MERGE_CELL.finditer(xml):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode())
        except ValueError:
            continue
        if min_col and min_row and max_col and max_row:
            ranges.append((min_col, min_row, max_col, max_row))
    return ranges


def _fill_merged(
    grid: list[list[str]], width: int, ranges: list[tuple[int, int, int, int]]
) -> None:
    """Copy each merged range's top-left value into the rest of it, within the data area."""
    filled = 0
    for min_col, min_row, max_col, max_row in ranges:
        if min_row > len(grid) or min_col > width:
            continue
        max_row, max_col = min(max_row, len(grid)), min(max_col, width)
        filled += (max_row - min_row + 1) * (max_col - min_col + 1)
        if filled > _MAX_MERGED_CELLS:
            raise NoticeReadError(
                "The workbook has too many merged cells to read.", code="too_large"
            )
        value = grid[min_row - 1][min_col - 1]
        for row in grid[min_row - 1 : max_row]:
            row[min_col - 1 : max_col] = [value] * (max_col - min_col + 1)


# --------------------------------------------------------------------------- .pdf

_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_INFLATE_CHUNK = 1 << 20


def _read_pdf(data: bytes, charset: str | None) -> Document:
    _check_pdf_inflation(data)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        if _password_protected(exc):
            raise NoticeReadError(
                "The PDF is password-protected; send it without a password."
            ) from exc
        raise NoticeReadError("The file is not a valid PDF file.") from exc
    with pdf:
        pages = pdf.pages
        if len(pages) > MAX_PDF_PAGES:
            raise NoticeReadError(f"The PDF has more than {MAX_PDF_PAGES} pages.", code="too_large")
        if not pages:
            raise NoticeReadError("The PDF has no pages.")
        laid_out: list[list[_PdfLine | Table]] = []
        chars = 0
        crossings = _MAX_PDF_CROSSINGS
        for page in pages:
            try:
                ruling = _ruling_crossings(page)
                look = ruling <= min(crossings, _MAX_PAGE_CROSSINGS)
                crossings -= ruling if look else 0
                items, count = _pdf_page(page, find_tables=look)
            finally:
                page.close()
            laid_out.append(items)
            chars += count
    if not chars:
        raise NoticeReadError(
            "The PDF has no text layer (it is probably scanned); send the Word file or a "
            "PDF with text.",
            code="no_text_layer",
        )
    return Document(tuple(_pdf_blocks(laid_out)), "pdf")


def _password_protected(exc: BaseException) -> bool:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if "Password" in type(current).__name__ or "Encryption" in type(current).__name__:
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def _check_pdf_inflation(data: bytes) -> None:
    """Refuse a PDF whose Flate streams inflate past MAX_PDF_INFLATED_BYTES all together.

    pdfminer inflates a stream in one call with no limit, so a small file could ask for
    gigabytes. Images are skipped: pdfminer does not decode them to extract text.
    """
    budget = MAX_PDF_INFLATED_BYTES
    for match in _PDF_STREAM.finditer(data):
        head = data[max(0, match.start() - 2048) : match.start()]
        head = head[head.rfind(b"obj") + 1 :]  # this stream's dictionary
        layers = min(len(_FLATE.findall(head)), 3)
        if not layers or b"/Image" in head:
            continue
        end = data.find(b"endstream", match.end())
        raw = data[match.end() : end if end >= 0 else len(data)]
        budget -= _inflated_size(raw, layers, budget)
        if budget < 0:
            raise NoticeReadError(
                f"The PDF is larger than {MAX_PDF_INFLATED_BYTES // 2**20} MiB once uncompressed.",
                code="too_large",
            )


_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")


def _inflated_size(raw: bytes, layers: int, limit: int) -> int:
    """Bytes ``raw`` inflates to through ``layers`` Flate filters, counted up to ``limit`` + 1."""
    chunks: Iterable[bytes] = (raw,)
    for _ in range(layers):
        chunks = _inflate(chunks)
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            break
    return size


def _inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            pending = chunk
            while pending and not inflater.eof:
                out = inflater.decompress(pending, _INFLATE_CHUNK)
                if not out and inflater.unconsumed_tail == pending:
                    return
                if out:
                    yield out
                pending = inflater.unconsumed_tail
            if inflater.eof:
                return
    except zlib.error:
        return  # damaged from here on; pdfminer gets no more out of it either


@dataclass(frozen=True)
class _PdfLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page_height: float


def _ruling_crossings(page: Any) -> int:
    """At most how many crossings pdfplumber will find in the page's ruling lines."""
    edges = merge_edges(page.edges, 3, 3, 3, 3)  # pdfplumber's default tolerances
    horizontal = sum(1 for edge in edges if edge["orientation"] == "h")
    return horizontal * (len(edges) - horizontal)


def _pdf_page(page: Any, *, find_tables: bool) -> tuple[list[_PdfLine | Table], int]:
    """A page's text lines (outside tables) and tables, top to bottom; and its char count."""
    chars = dedupe_chars([c for c in page.chars if c.get("text")])
    count = sum(1 for c in chars if not c["text"].isspace())
    found = page.find_tables() if find_tables else []
    placed: list[tuple[float, _PdfLine | Table]] = []
    boxes: list[tuple[float, float, float, float]] = []
    for table in found:
        rows = _pdf_table(table, chars)
        if len(rows) < 2 or len(rows[0]) < 2:
            continue  # a frame around text, not a table
        boxes.append(table.bbox)
        placed.append((table.bbox[1], Table(tuple(tuple(row) for row in rows))))
    outside = [c for c in chars if not any(_center_in(c, box) for box in boxes)]
    for line in _lines(outside, float(page.height)):
        placed.append((line.top, line))
    placed.sort(key=lambda item: item[0])
    return [item for _, item in placed], count


def _pdf_table(table: Any, chars: list[dict[str, Any]]) -> list[list[str]]:
    """Cell texts on the table grid; where pdfplumber has no cell, the merged cell over it."""
    inside = [c for c in chars if _center_in(c, table.bbox)]
    rows = table.rows
    texts: dict[tuple[float, float, float, float], str] = {}
    for row in rows:  # chars by row first, as pdfplumber does: cells x chars is too slow
        in_row = [c for c in inside if _center_in(c, row.bbox)]
        for cell in row.cells:
            if cell is not None:
                texts[cell] = _cell_text([c for c in in_row if _center_in(c, cell)], cell)
    columns = sorted({cell[0] for cell in texts})
    grid: list[list[str]] = []
    above: list[Any] = [None] * len(columns)  # the cell covering each column, row above
    for row in rows:
        top = min(cell[1] for cell in row.cells if cell is not None)
        covers: list[Any] = []
        for x, cell in zip(columns, row.cells, strict=False):
            if cell is None:  # covered by the cell to the left (across) or above (down)
                point = (x + 0.5, top + 0.5)
                left = covers[-1] if covers else None
                up = above[len(covers)]
                cell = next((c for c in (left, up) if c is not None and _point_in(*point, c)), None)
            covers.append(cell)
        grid.append([texts.get(cell, "") if cell is not None else "" for cell in covers])
        above = covers
    return grid


def _cell_text(chars: list[dict[str, Any]], box: tuple[float, float, float, float]) -> str:
    """A cell's lines, re-joined where the text only wrapped at the cell's right edge."""
    lines = _lines(chars, 0.0)
    parts: list[str] = []
    for index, line in enumerate(lines):
        if (
            index
            and lines[index - 1].x1 >= box[2] - 2.5 * line.size
            and not _starts_item(line.text)
        ):
            parts[-1] = _join(parts[-1], line.text)
        else:
            parts.append(line.text)
    return _cell("\n".join(parts))


def _center_in(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    return _point_in((char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2, box)


def _point_in(x: float, y: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def _lines(chars: list[dict[str, Any]], page_height: float) -> list[_PdfLine]:
    """Chars grouped into lines, top to bottom, with spaces where the gaps are word gaps."""
    if not chars:
        return []
    lines = []
    for cluster in cluster_objects(chars, lambda c: (c["top"] + c["bottom"]) / 2, 2):
        ordered = sorted(cluster, key=lambda c: c["x0"])
        text: list[str] = []
        previous: dict[str, Any] | None = None
        for char in ordered:
            if previous is not None and _word_gap(previous, char):
                text.append(" ")
            text.append(char["text"])
            previous = char
        joined = _CJK_SPACE.sub("", "".join(text)).strip()
        if not joined:
            continue
        lines.append(
            _PdfLine(
                text=joined,
                x0=min(c["x0"] for c in ordered if not c["text"].isspace()),
                x1=max(c["x1"] for c in ordered if not c["text"].isspace()),
                top=min(c["top"] for c in ordered),
                bottom=max(c["bottom"] for c in ordered),
                size=statistics.median(float(c.get("size") or 0) for c in ordered) or 10.0,
                page_height=page_height,
            )
        )
    return sorted(lines, key=lambda line: line.top)


_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# Spaces between CJK characters in a PDF are letter-spacing, never words.
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def _word_gap(previous: dict[str, Any], char: dict[str, Any]) -> bool:
    if previous["text"].isspace() or char["text"].isspace():
        return False
    size = float(char.get("size") or previous.get("size") or 10.0)
    return float(char["x0"]) - float(previous["x1"]) > 0.25 * size


_ITEM_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百\d]+[)）]|\d+[.．、]|"
    r"第[一二三四五六七八九十百\d]+[部分章条项])"
)
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－~·•]*(?:\d{1,4}|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?)[\s\-—–－~·•]*$"
)


def _starts_item(text: str) -> bool:
    return _ITEM_START.match(text) is not None


def _join(left: str, right: str) -> str:
    if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return f"{left} {right}"
    return left + right


def _pdf_blocks(pages: list[list[_PdfLine | Table]]) -> Iterator[Block]:
    """Tables as they are; lines joined into paragraphs where they only wrapped.

    A line continues the previous one when that line reached the right margin, this one
    starts at the left margin (公文 indent a paragraph's first line), the font size is the
    same and the line does not start a new item.
    """
    lines = [
        item
        for items in pages
        for item in items
        if isinstance(item, _PdfLine) and not _is_page_number(item)
    ]
    # The leftmost line start is the margin; erring left only means fewer lines are joined.
    left = min((line.x0 for line in lines), default=0.0)
    right = sorted(line.x1 for line in lines)[int(0.9 * (len(lines) - 1))] if lines else 0.0
    paragraph: _PdfLine | None = None
    for items in pages:
        for item in items:
            if isinstance(item, Table):
                if paragraph is not None:
                    yield paragraph.text
                    paragraph = None
                yield item
                continue
            if _is_page_number(item):
                continue
            if (
                paragraph is not None
                and abs(paragraph.size - item.size) < 0.5
                and paragraph.x1 >= right - 1.5 * paragraph.size
                and item.x0 <= left + 0.5 * item.size
                and not _starts_item(item.text)
            ):
                paragraph = _PdfLine(
                    _join(paragraph.text, item.text),
                    paragraph.x0,
                    item.x1,
                    paragraph.top,
                    item.bottom,
                    item.size,
                    item.page_height,
                )
                continue
            if paragraph is not None:
                yield paragraph.text
            paragraph = item
        if paragraph is not None:  # a paragraph running on to the next page is the parser's
            yield paragraph.text
            paragraph = None


def _is_page_number(line: _PdfLine) -> bool:
    near_edge = line.top > 0.85 * line.page_height or line.bottom < 0.15 * line.page_height
    return near_edge and _PAGE_NUMBER.match(line.text) is not None


_READERS: dict[str, Callable[[bytes, str | None], Document]] = {
    "text": _read_text,
    "csv": _read_csv,
    "docx": _read_docx,
    "xlsx": _read_xlsx,
    "pdf": _read_pdf,
}
