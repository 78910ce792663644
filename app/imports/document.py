"""A notice as its readers hand it to the parser: running text and tables, in document order.

Pure: standard library only. The readers (``app.imports.readers``) turn .txt / .docx / .xlsx /
.csv / .pdf bytes into a ``Document``; the parser (``app.imports.parser``) reads a Document.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Block", "Document", "NoticeReadError", "Table"]


@dataclass(frozen=True)
class Table:
    """A table's rows of cell texts, top to bottom, left to right.

    A merged cell's text is repeated in every grid cell it covers (across and down), so each
    row has the table's full width and a row can be read on its own. Line breaks inside a cell
    are kept as ``\\n``.
    """

    rows: tuple[tuple[str, ...], ...]


# A run of text (one paragraph, or many lines separated by "\n") or a table.
Block = str | Table


@dataclass(frozen=True)
class Document:
    """The blocks of a notice in reading order, and what kind of file they came from."""

    blocks: tuple[Block, ...]
    source_format: str = "text"  # text | docx | xlsx | csv | pdf


class NoticeReadError(ValueError):
    """The file cannot be read at all (not the format it claims, damaged, a scan without text).

    ``message`` is one sentence for the person who sent the file; ``code`` is stable:
    ``unreadable_file`` (damaged or not that format), ``no_text_layer`` (a scanned PDF),
    ``too_large`` (over a size, row or cell limit), ``unsupported_format``.
    """

    def __init__(self, message: str, *, code: str = "unreadable_file") -> None:
        self.message = message
        self.code = code
        super().__init__(message)
