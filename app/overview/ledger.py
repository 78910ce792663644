"""The 台账: one row per task, as the office prints it. Pure: rows in, file bytes out.

A task with several indicators keeps them in one row, one line per indicator in each of the
indicator columns, so the sheet stays one row per task and the lines read across.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from app.i18n import Catalog, language, say
from app.indicators.progress import STATUS_TEXT, TARGET_TEXT
from app.tasks import texts as tasks_text

# Column headers: Chinese, the ledger's own language; English on request.
_HEADER_TEXT: list[tuple[str, str]] = [
    ("序号", "No."),
    ("类别", "Kind"),
    ("工作任务", "Task"),
    ("牵头单位", "Lead units"),
    ("配合单位", "Participating units"),
    ("完成时限", "Due"),
    ("状态", "Status"),
    ("健康度", "Health"),
    ("指标", "Indicators"),
    ("目标值", "Targets"),
    ("完成值", "Actuals"),
    ("指标状态", "Indicator status"),
    ("最新进展", "Latest progress"),
    ("预警说明", "Warnings"),
]
HEADERS = tuple(zh for zh, _ in _HEADER_TEXT)
_HEALTH_COLUMN = HEADERS.index("健康度") + 1
_WIDTHS = (6, 10, 40, 20, 28, 12, 8, 8, 24, 12, 10, 10, 40, 40)
TITLE: Catalog = {
    "title": ("{plan} 落实台账（截至 {as_of}）", "{plan}: ledger as of {as_of}"),
    "title_known": (
        "{plan} 落实台账（截至 {as_of}，数据截至 {known_at}）",
        "{plan}: ledger as of {as_of}, with what was known at {known_at}",
    ),
}


def headers() -> list[str]:
    return [zh if language() == "zh" else en for zh, en in _HEADER_TEXT]


# Traffic-light fills for the health cell, pale enough to print in black and white.
_HEALTH_FILLS = {
    "green": PatternFill("solid", fgColor="C6EFCE"),
    "amber": PatternFill("solid", fgColor="FFEB9C"),
    "red": PatternFill("solid", fgColor="FFC7CE"),
}
# A cell starting with one of these is a formula to Excel: text from users must not become one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class LedgerIndicator:
    name: str
    comparator: str
    target: float
    target_max: float | None
    unit_label: str
    actual: float | None
    status: str

    @property
    def target_text(self) -> str:
        return say(
            TARGET_TEXT,
            self.comparator,
            target=_number(self.target),
            target_max=_number(self.target_max or 0),
            unit=self.unit_label,
        )

    @property
    def actual_text(self) -> str:
        return "" if self.actual is None else f"{_number(self.actual)}{self.unit_label}"


@dataclass(frozen=True)
class LedgerRow:
    kind: str
    number: str
    title: str
    leads: list[str]
    participants: list[str]
    due_on: date | None
    status: str
    health: str
    reasons: list[str] = field(default_factory=list)
    indicators: list[LedgerIndicator] = field(default_factory=list)
    latest_progress: str = ""

    def cells(self) -> list[str]:
        lines = "\n".join
        return [
            self.number,
            say(tasks_text.KIND, self.kind),
            self.title,
            "、".join(self.leads),
            "、".join(self.participants),
            "" if self.due_on is None else self.due_on.isoformat(),
            say(tasks_text.STATUS, self.status),
            say(tasks_text.HEALTH, self.health),
            lines(i.name for i in self.indicators),
            lines(i.target_text for i in self.indicators),
            lines(i.actual_text for i in self.indicators),
            lines(say(STATUS_TEXT, i.status) for i in self.indicators),
            self.latest_progress,
            lines(self.reasons),
        ]


def _number(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".").replace(",", "")


def _inert(text: str) -> str:
    """Text that Excel shows as written rather than evaluating (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _sheet_text(text: str) -> str:
    """Text an .xlsx cell can hold: the control characters XML forbids are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def to_csv(rows: list[LedgerRow]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers())
    for row in rows:
        writer.writerow([_inert(cell) for cell in row.cells()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[LedgerRow], *, title: str) -> bytes:
    """A printable sheet: title line, frozen header, wrapped text, landscape, fit to width."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账" if language() == "zh" else "Ledger"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    heading = sheet.cell(row=1, column=1, value=_sheet_text(title))
    heading.data_type = "s"  # a title like "=HYPERLINK(…)" stays text
    heading.font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    for col, (header, width) in enumerate(zip(headers(), _WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=2, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(col)].width = width
    for r, row in enumerate(rows, start=3):
        for col, value in enumerate(row.cells(), start=1):
            cell = sheet.cell(row=r, column=col, value=_sheet_text(value))
            cell.data_type = "s"  # always text: a leading "=" is not a formula
            cell.alignment = wrap
            cell.border = border
            if row.kind == "section":
                cell.font = Font(bold=True)
        if row.health in _HEALTH_FILLS:
            sheet.cell(row=r, column=_HEALTH_COLUMN).fill = _HEALTH_FILLS[row.health]
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
