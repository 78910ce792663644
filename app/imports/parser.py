"""Turn a Chinese work-plan notice (工作要点 / 重点工作 / 任务分工方案) into structured tasks.

Pure: standard library and ``app.imports.document`` only; no database, no web framework, no
I/O. The readers (``app.imports.readers``) turn a file into a ``Document`` of text and tables.

Pipeline (each step is a small function below):

1. lines      -- every block becomes lines: text is cleaned (NUL, control and zero-width
   characters, line ends, spaces); a task-division table, real or flattened into text,
   gives one ``_Row`` per data row (columns found by their header's synonyms).
2. split      -- cut the lines into header (issuer, 文号, title, addressees; a covering letter
   with numbered paragraphs of its own), body and a trailing footer (落款, 印发日期, 抄送).
3. classify   -- every body line is a part heading ("…重点工作" / "…工作要点"), a numbered
   line in one of the numbering styles (一、 / （一） / 1. / （1） / ① / 第一条 …) or running
   text. Styles nest by rank; numbers must continue, restart at 1 or start a new style, so a
   page-broken fragment that starts with "3." is not mistaken for item 3.
4. build      -- running text continues the open node; fragments are re-joined without a
   space between CJK characters (page-break repair), so descriptions read as printed.
5. extract    -- per node: responsibility clauses (units and roles; cut out of the
   description and kept in ``responsibility_text``), quantitative targets and milestones.
6. link       -- key tasks (重点工作) restate work points (工作要点); ``link_related``
   pairs them by character-bigram similarity.

Text fields keep the notice's own punctuation (full- or half-width as printed); spaces
touching CJK characters are removed, because in extracted text they are layout artefacts
("重点工作 和工作要点", "不少于 200 万人次").
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from app.imports.document import Document, Table

__all__ = [
    "MAX_INPUT_CHARS",
    "MAX_ITEMS",
    "NoticeParseError",
    "ParseWarning",
    "ParsedIndicator",
    "ParsedMilestone",
    "ParsedPlan",
    "ParsedTask",
    "ParsedUnit",
    "link_related",
    "parse_document",
    "parse_notice",
]

MAX_INPUT_CHARS = 2_000_000
MAX_ITEMS = 1_000  # a provincial plan has ~10^2 tasks; far more means this is not a plan
_MAX_PER_TASK = 100  # units / indicators / milestones kept per task
_MAX_CANDIDATES = 1_000  # numbers / time phrases examined per task before giving up
_MAX_WARNINGS = 200
_WINDOW = 60  # characters looked at around a number when naming or classifying it


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True)
class ParseWarning:
    """Something a person should check, as data: a stable ``code``, the ``task`` (code) it
    concerns, and the figures the sentence needs (``params``). The sentences themselves, in
    Chinese and English, are the service's (``app.imports.texts``): the parser stays pure."""

    code: str
    params: tuple[tuple[str, str | int], ...] = ()
    task: str | None = None

    @classmethod
    def of(cls, code: str, /, *, task: str | None = None, **params: str | int) -> ParseWarning:
        return cls(code, tuple(params.items()), task)

    @property
    def values(self) -> dict[str, str | int]:
        return dict(self.params)


@dataclass(frozen=True)
class ParsedUnit:
    """One responsible unit named in a responsibility clause."""

    name: str
    kind: str  # department | institution | society | city | university | enterprise | group | other
    role: str  # lead | participant


@dataclass(frozen=True)
class ParsedIndicator:
    """A quantitative target; ``target_value`` is the printed number, 万 stays in the label."""

    code: str
    name: str
    comparator: str  # gte | lte | eq | between
    target_value: Decimal
    target_max: Decimal | None
    unit_label: str
    source_text: str


@dataclass(frozen=True)
class ParsedMilestone:
    """A dated checkpoint taken from a time phrase ("年内…", "9月底前…")."""

    title: str
    due_on: date
    source_text: str


@dataclass(frozen=True)
class ParsedTask:
    """A section, sub-section, key task or work point, in document order."""

    kind: str  # section | subtask | key_task | work_point
    number: str  # as printed, without punctuation: "一", "13"
    title: str
    description: str  # full text, page breaks repaired, responsibility clause removed
    parent_number: str | None  # the enclosing 一、 section's number
    units: tuple[ParsedUnit, ...]
    indicators: tuple[ParsedIndicator, ...]
    milestones: tuple[ParsedMilestone, ...]
    due_on: date | None
    related: tuple[str, ...]  # numbers of linked key tasks / work points
    code: str = ""  # unique within the plan: "S1", "S1.2", "KT3", "WP12"
    subsection: str | None = None  # the enclosing （一） sub-section's number, if any
    responsibility_text: str = ""  # the clause(s) cut out of the description, as printed
    related_codes: tuple[str, ...] = ()  # same links as ``related``, by unambiguous code
    parent_code: str | None = None  # the enclosing task's code
    source_text: str = ""  # the item as printed, number and responsibility clause included
    warnings: tuple[ParseWarning, ...] = ()  # what a person should check in this task


@dataclass(frozen=True)
class ParsedPlan:
    """The whole notice."""

    title: str
    year: int
    doc_number: str | None
    issuer: str | None
    issued_on: date | None
    addressees: tuple[str, ...]
    tasks: tuple[ParsedTask, ...]
    warnings: tuple[ParseWarning, ...]  # the tasks' warnings too, each naming its task
    issuer_short: str | None = None  # the issuer as written before the title ("河南省科协办公室")
    preamble: str = ""  # running text before the first section / item of a part


class NoticeParseError(ValueError):
    """The text cannot be read as a work-plan notice; ``problems`` says why."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems) or ["unreadable notice"]
        super().__init__("; ".join(self.problems))


# --------------------------------------------------------------------------- character classes

# CJK ideographs, CJK/full-width punctuation and the curly quotes used in Chinese text.
_CJK_CHARS = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018-\u201f\u2014\u2026\u00b7"
_CJK = f"[{_CJK_CHARS}\U00020000-\U0003134f]"
_SPACE_NEAR_CJK = re.compile(rf"(?<={_CJK}) +| +(?={_CJK})")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_INVISIBLE = re.compile(r"[\ufeff\u200b-\u200d\u2060\u00ad]")
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")

# A 1:1 character map used only for *matching*: full-width ASCII -> ASCII, dashes -> "-",
# 〔〕【】 -> ()[]. It keeps string length, so a match in the folded text slices the original.
_FOLD: dict[int, int] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        0x3000: 0x20,
        0x2013: 0x2D,
        0x2014: 0x2D,
        0x2015: 0x2D,
        0x2212: 0x2D,
        0x301C: 0x7E,
        0x3014: 0x28,
        0x3015: 0x29,
        0x3010: 0x5B,
        0x3011: 0x5D,
    }
)

_CN_NUMERAL = "零〇一二两三四五六七八九十百千"
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3}
_CN_DIGIT.update({"四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_CN_MULTIPLIER = {"十": 10, "百": 100, "千": 1000}


# Full-width digits and Latin letters carry no meaning of their own ("１０场" is "10场"), so
# they are normalised in every output; full-width punctuation is kept as printed.
_ALNUM_TO_ASCII = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum()}


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def _tidy(text: str) -> str:
    """Collapse spaces, drop spaces that touch CJK characters, drop empty lines."""
    lines = (_SPACE_NEAR_CJK.sub("", _SPACES.sub(" ", line)).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _cn_to_int(text: str) -> int | None:
    """Chinese numeral ("十二", "二〇二四", "一百零五") to int; None if not a numeral."""
    if not text or len(text) > 8:
        return None
    if all(ch in _CN_DIGIT for ch in text) and len(text) > 1:
        return int("".join(str(_CN_DIGIT[ch]) for ch in text))  # 二〇二四: digit by digit
    total = current = 0
    for ch in text:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch in _CN_MULTIPLIER:
            total += (current or 1) * _CN_MULTIPLIER[ch]
            current = 0
        else:
            return None
    return total + current


def _to_int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else _cn_to_int(text)


# --------------------------------------------------------------------------- 2./3. classify

# Numbering styles, from the outermost a notice uses to the innermost. A style's rank decides
# nesting: "1." under "（一）" under "一、", whatever order the notice first uses them in.
_CN_NUM = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_STYLES: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("chapter", 0, re.compile(rf"^第\s*([{_CN_NUM}百]{{1,4}})\s*(?:部分|章|篇)\s*[、.:]?\s*(.*)$")),
    ("article", 1, re.compile(rf"^第\s*([{_CN_NUM}百零〇]{{1,5}})\s*条\s*[、.:]?\s*(.*)$")),
    ("cn", 1, re.compile(rf"^([{_CN_NUM}]{{1,3}})\s*[、.,]\s*(.*)$")),
    ("cn_paren", 2, re.compile(rf"^\(\s*([{_CN_NUM}]{{1,3}})\s*\)\s*[、.]?\s*(.*)$")),
    ("arabic", 3, re.compile(r"^(\d{1,3})\s*(?:、|\.(?!\d)|,(?!\d))\s*(.*)$")),
    ("arabic_paren", 4, re.compile(r"^(?:\(\s*(\d{1,2})\s*\)|(\d{1,2})\))\s*[、.]?\s*(.*)$")),
    ("circled", 5, re.compile(rf"^([{_CIRCLED}])\s*[、.]?\s*(.*)$")),
)  # fmt: skip
_RANK = {name: rank for name, rank, _ in _STYLES}
# "11.121人才梯队项目": item 11 whose text starts with a number. Read so only when 11 is the
# item due next; elsewhere "1.5万人次" at a line start is a number, not item 1.
_ARABIC_THEN_DIGIT_RE = re.compile(r"^(\d{1,3})\.(\d.*)$")
_PART_WORDS = re.compile(r"重点工作|重点任务|工作要点|工作计划|工作安排|工作任务|任务清单|工作重点")
_KEY_PART_WORDS = re.compile(r"重点工作|重点任务")
_SENTENCE_PUNCT = re.compile(r"[。，,；;：:！？!?]")
_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–~ ]*\d{1,4}[-—–~ ]*"  # "- 3 -", "— 3 —"
    r"|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?"  # "第 3 页 共 9 页"
    r"|\d{1,4}\s*/\s*\d{1,4})$"  # "3/9"
)
_ATTACHMENT_RE = re.compile(r"^附件\s*\d{0,2}\s*[:：]?")
_RULE_LINE_RE = re.compile(r"^[-—_=─━*·.．…\s]{3,}$")


@dataclass(frozen=True)
class _Line:
    kind: str  # part | num | text | skip | row
    number: str  # as printed, without punctuation ("一", "12", "①")
    rest: str  # the line after its number, original characters
    raw: str
    style: str = ""  # the numbering style of a "num" line
    value: int = 0  # the number's value
    digits_follow: bool = False  # "11.121…": only item 11 if 11 is due next
    row: _Row | None = None  # a table row read as an item


def _number_value(style: str, number: str) -> int:
    if style == "circled":
        return _CIRCLED.index(number) + 1
    return _to_int(number) or 0


def _classify(raw: str) -> _Line:
    folded = _fold(raw)
    if _PAGE_NUMBER_RE.match(folded) or _RULE_LINE_RE.match(folded):
        return _Line("skip", "", "", raw)
    for style, _, pattern in _STYLES:
        m = pattern.match(folded)
        if m:
            number = next(g for g in m.groups()[:-1] if g is not None)
            value = _number_value(style, number)
            if value <= 0:
                continue
            rest = raw[m.start(m.lastindex or 0) :]
            return _Line("num", str(value) if style.startswith("arabic") else number,
                         rest, raw, style, value)  # fmt: skip
    m = _ARABIC_THEN_DIGIT_RE.match(folded)
    if m:
        value = int(m.group(1))
        return _Line("num", str(value), raw[m.start(2) :], raw, "arabic", value, True)
    if _is_part_heading(folded):
        return _Line("part", "", raw, raw)
    if _ATTACHMENT_RE.match(folded) and len(folded) <= 8:
        return _Line("skip", "", "", raw)  # a lone "附件1" label above an attached list
    return _Line("text", "", raw, raw)


def _is_part_heading(folded: str) -> bool:
    return (
        len(folded) <= 40
        and _PART_WORDS.search(folded) is not None
        and _SENTENCE_PUNCT.search(folded) is None
        and "关于" not in folded
        and "通知" not in folded
        and "印发" not in folded
    )


def _first_structural(lines: list[str], rows: dict[int, _Row], start: int = 0) -> int:
    """Index of the first structural line at or after ``start``, or len(lines)."""
    in_attachment_list = False
    for index in range(start, len(lines)):
        raw = lines[index]
        if index in rows:
            return index
        if not raw:
            continue
        line = _classify(raw)
        folded = _fold(raw)
        if _ATTACHMENT_RE.match(folded):
            # "附件：1. …重点工作 / 2. …工作要点" lists the attachments; not items.
            in_attachment_list = True
            continue
        if in_attachment_list and line.kind == "num" and _is_part_heading(_fold(line.rest)):
            continue
        in_attachment_list = False
        if line.kind == "part" or (line.kind == "num" and line.style != "circled"):
            return index
    return len(lines)


_COVER_LETTER_RE = re.compile(r"印发给你们|现将|现印发|予以印发|印发你们|请认真贯彻|请结合实际")


def _find_body_start(lines: list[str], rows: dict[int, _Row]) -> int:
    """Index of the first structural line of the plan; header lines come before it.

    A covering letter with numbered requirements of its own ("现将《方案》印发给你们……1.明确任务")
    ends with the issuer's date line; the plan starts after it.
    """
    first = _first_structural(lines, rows)
    for index in range(first, len(lines)):
        if index in rows or not _DATE_LINE_RE.match(_fold(lines[index]).replace(" ", "")):
            continue
        letter = "".join(lines[:index])
        after = _first_structural(lines, rows, index + 1)
        if after < len(lines) and _COVER_LETTER_RE.search(letter):
            return after
        break
    return first


_DATE_RE = re.compile(
    r"((?:19|20|21)\d{2}|[〇零一二三四五六七八九]{4})年"
    r"(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})日"
)
_DATE_LINE_RE = re.compile(
    rf"^[\u4e00-\u9fff()]{{0,30}}?{_DATE_RE.pattern}(?:印发|发布|制发|签发)?$"
)
_FOOTER_START_RE = re.compile(r"^(?:抄送|抄报|印发|联系人|联系电话|\(此件|\(联系人|\(信息公开)")


def _date_from_match(m: re.Match[str]) -> date | None:
    year, month, day = (_to_int(m.group(i)) for i in (1, 2, 3))
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _find_footer_start(
    lines: list[str], body_start: int, rows: dict[int, _Row]
) -> tuple[int, date | None, str | None]:
    """Walk back over the trailing 落款 / 印发 block; return (start, date, signature)."""
    start = len(lines)
    issued_on: date | None = None
    signature: str | None = None
    index = len(lines) - 1
    while index > body_start:
        raw = lines[index]
        if index in rows:
            break
        folded = _fold(raw).replace(" ", "")
        kind = _classify(raw).kind
        if not raw or kind == "skip":
            index -= 1
            continue
        date_match = _DATE_LINE_RE.match(folded)
        if date_match:
            issued_on = _date_from_match(date_match) or issued_on
        elif _FOOTER_START_RE.match(folded):
            pass
        elif issued_on and kind == "text" and _looks_like_signature(folded):
            signature = _tidy(raw)  # the issuing office signs right above the date
        else:
            break
        start = index
        index -= 1
    return start, issued_on, signature


def _looks_like_signature(folded: str) -> bool:
    return 2 <= len(folded) <= 30 and re.search(r"[。，、；：,;:()“”\d]", folded) is None


# --------------------------------------------------------------------------- header

_DOC_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fffA-Za-z]{1,15}?)\s*[(\[]\s*((?:19|20|21)\d{2})\s*[)\]]\s*(\d{1,5})\s*号"
)
_YEAR = r"((?:19|20|21)\d{2}|二〇[〇零一二三四五六七八九]{2})\s*年"
_YEAR_RE = re.compile(_YEAR)
_YEAR_BEFORE_PART_RE = re.compile(rf"{_YEAR}\s*度?\s*(?:{_PART_WORDS.pattern})")
_TITLE_END_RE = re.compile(r"(?:通知|意见|方案|办法|规定|要点|计划|安排|决定|函|报告|细则)$")


@dataclass
class _Header:
    title: str | None = None
    doc_number: str | None = None
    doc_year: int | None = None
    issuer: str | None = None
    issuer_short: str | None = None
    issued_on: date | None = None
    addressees: tuple[str, ...] = ()
    first_line: str | None = None
    title_like: list[str] = field(default_factory=list)  # short lines without punctuation


def _parse_header(lines: list[str]) -> _Header:
    header = _Header()
    raws = [line for line in lines if line]
    title_index: int | None = None
    for index, raw in enumerate(raws):
        folded = _fold(raw)
        compact = folded.replace(" ", "")
        if _SENTENCE_PUNCT.search(folded) is None and len(compact) <= 60:
            header.first_line = header.first_line or _tidy(raw)
            header.title_like.append(raw)
        if header.issuer is None and compact.endswith("文件") and len(compact) > 2:
            header.issuer = _tidy(raw)[:-2].strip() or None
            continue
        doc = _DOC_NUMBER_RE.search(folded)
        if header.doc_number is None and doc:
            header.doc_number = f"{doc.group(1)}〔{doc.group(2)}〕{doc.group(3)}号"
            header.doc_year = int(doc.group(2))
            continue
        date_match = _DATE_LINE_RE.match(compact)
        if date_match and header.issued_on is None:
            header.issued_on = _date_from_match(date_match)
            continue
        if title_index is None and "关于" in folded and "。" not in folded:
            title_index = index
            header.title, header.issuer_short = _title_from(raws, index)
            continue
        if title_index is not None and not header.addressees and _is_addressee_line(folded):
            header.addressees = tuple(u for u, _ in _split_unit_names(folded.rstrip(": ")))
    if header.issuer is None:
        header.issuer = header.issuer_short
    return header


def _title_from(raws: list[str], index: int) -> tuple[str, str | None]:
    """The title starts at "关于" and may wrap over up to two more lines."""
    raw = raws[index]
    cut = raw.find("关于")
    prefix = _tidy(raw[:cut]) or None
    parts = [raw[cut:]]
    for follow in raws[index + 1 : index + 3]:
        if _TITLE_END_RE.search(_tidy(parts[-1])) or _SENTENCE_PUNCT.search(_fold(follow)):
            break
        parts.append(follow)
    if prefix is not None and len(prefix) > 30:
        prefix = None
    return _tidy(" ".join(parts)), prefix


def _is_addressee_line(folded: str) -> bool:
    stripped = folded.rstrip()
    return stripped.endswith(":") and "。" not in stripped and len(stripped) <= 300


# --------------------------------------------------------------------------- 4. build


@dataclass(frozen=True)
class _Row:
    """One data row of a task-division table, its cells sorted by what their column holds."""

    number: str
    task: str  # the task text (several task-like columns joined)
    leads: tuple[str, ...]  # cell texts of 牵头 columns
    responsible: tuple[str, ...]  # 责任 columns: lead unless a 牵头 column is named
    participants: tuple[str, ...]  # 配合 / 协办 / 参与 columns
    deadline: str  # 完成时限
    target: str  # 目标 / 指标
    style: str = "row"  # the numbering style of a row numbered in its text ("(1)…")
    value: int = 0


@dataclass
class _Node:
    style: str  # numbering style ("cn", "arabic", …, "row" for a table row)
    number: str
    value: int
    parent: _Node | None
    part: str  # key_task | work_point: the kind an item of this part gets
    part_index: int
    fragments: list[str]
    row: _Row | None = None
    head: str = ""  # the first line as printed, number included
    child_styles: set[str] = field(default_factory=set)
    kind: str = ""  # section | subtask | key_task | work_point, set once the part is read
    parent_number: str | None = None  # the enclosing section's number
    subsection: str | None = None  # the enclosing sub-section's number
    section_index: int = 0  # value of the enclosing (or own) section, 0 when none


_ROW_RANK = _RANK["arabic"]


def _rank(style: str) -> int:
    return _ROW_RANK if style == "row" else _RANK[style]


class _Builder:
    """A small state machine over classified body lines.

    Each numbering style nests by its rank. A number is accepted when it continues its
    style's sequence, restarts it at 1 under a new parent, or is the first of its style in
    the part (a notice, or a table, may start at any number); anything else is text.
    """

    def __init__(self, default_part: str, warnings: list[ParseWarning]) -> None:
        self.warnings = warnings
        self.nodes: list[_Node] = []
        self.preamble: list[str] = []
        self.part_headings: list[str] = []
        self.part = default_part
        self.part_index = 0
        self.stack: list[_Node] = []
        self.last: dict[str, int] = {}
        self.root_styles: set[str] = set()
        self.current: _Node | None = None

    def feed(self, line: _Line) -> None:
        if line.kind == "skip":
            return
        if line.kind == "part":
            self._open_part(line)
        elif line.kind == "row" or (line.kind == "num" and self._accept(line)):
            self._open(line)
        else:
            self._continue(line.raw)

    def _open_part(self, line: _Line) -> None:
        self.part = "key_task" if _KEY_PART_WORDS.search(_fold(line.raw)) else "work_point"
        self.part_headings.append(_tidy(line.raw))
        self.part_index += 1
        self.stack, self.last, self.root_styles, self.current = [], {}, set(), None

    def _parent_for(self, style: str) -> _Node | None:
        rank = _rank(style)
        outer = [node for node in self.stack if _rank(node.style) < rank]
        return outer[-1] if outer else None

    def _accept(self, line: _Line) -> bool:
        parent = self._parent_for(line.style)
        siblings = parent.child_styles if parent else self.root_styles
        last, value = self.last.get(line.style), line.value
        if last is None:  # the first of its style in this part
            return not line.digits_follow or value == 1
        if value == last + 1 or (value == 1 and line.style not in siblings):
            return True
        if line.digits_follow:
            return False
        section = line.style in ("cn", "chapter", "article")
        if last < value <= last + (2 if section else 3):
            code = "section_numbering_jumps" if section else "item_numbering_jumps"
            self.warnings.append(ParseWarning.of(code, last=last, value=value))
            return True
        if not section and line.style == "arabic":
            start = line.raw[:20]
            self.warnings.append(
                ParseWarning.of("line_out_of_sequence_kept", line=start, value=value,
                                item=self.current.number)
                if self.current
                else ParseWarning.of("line_out_of_sequence", line=start, value=value)
            )  # fmt: skip
        return False

    def _open(self, line: _Line) -> None:
        style = line.style
        parent = self._parent_for(style)
        while self.stack and self.stack[-1] is not parent:
            self.stack.pop()
        fragments = [line.row.task] if line.row is not None else [line.rest]
        node = _Node(style, line.number, line.value, parent, self.part, self.part_index,
                     fragments, line.row, line.raw)  # fmt: skip
        (parent.child_styles if parent else self.root_styles).add(style)
        self.stack.append(node)
        self.nodes.append(node)
        self.current = node
        if line.row is None or style != "row":
            self.last[style] = line.value

    def _continue(self, raw: str) -> None:
        if not raw:
            return
        if self.current is not None and self.current.row is not None:
            return  # a table row is whole; text after the table ("附件：…") is not part of it
        if self.current is not None:
            self.current.fragments.append(raw)
        else:
            self.preamble.append(raw)

    def finish(self) -> list[_Node]:
        """Give every node its kind: per part, the "1." level (else the innermost) holds
        the items; levels above are sections and sub-sections, levels below sub-tasks."""
        by_part: dict[int, list[_Node]] = {}
        for node in self.nodes:
            by_part.setdefault(node.part_index, []).append(node)
        for nodes in by_part.values():
            styles = {node.style for node in nodes}
            item_rank = _ROW_RANK if styles & {"arabic", "row"} else max(_rank(s) for s in styles)
            for node in nodes:
                rank = _rank(node.style)
                if rank == item_rank:
                    node.kind = node.part
                elif rank > item_rank:
                    node.kind = "subtask"
                else:
                    node.kind = "section" if node.parent is None else "subtask"
        for node in self.nodes:
            ancestors = []
            parent = node.parent
            while parent is not None:
                ancestors.append(parent)
                parent = parent.parent
            section = next((a for a in ancestors if a.kind == "section"), None)
            if node.kind == "section":
                node.section_index = node.value
            elif section is not None:
                node.parent_number, node.section_index = section.number, section.value
            sub = next((a for a in ancestors if a.kind == "subtask"), None)
            if sub is not None and node.kind != "subtask":
                node.subsection = sub.number
        return self.nodes


_TERMINAL = "。！？；!?;：:"


def _join_fragments(fragments: list[str]) -> str:
    """Re-join page-broken fragments; a new line only after sentence-ending punctuation."""
    parts: list[str] = []
    for fragment in fragments:
        fragment = fragment.strip()
        if not fragment:
            continue
        if parts:
            # _tidy() drops the space again where it touches a CJK character.
            parts.append("\n" if parts[-1][-1] in _TERMINAL else " ")
        parts.append(fragment)
    return "".join(parts)


# --------------------------------------------------------------------------- 5a. responsibilities

_LEAD_WORDS = "牵头"
_RESPONSIBLE_WORDS = "责任|主责|负责|承办|主办"
_PARTICIPANT_WORDS = "配合|协办|参与|协同|协助"
_ROLE_WORDS = f"{_LEAD_WORDS}|{_RESPONSIBLE_WORDS}|{_PARTICIPANT_WORDS}"
# "牵头单位：", "责任部门:", "配合：" (folded, so ":" only); 领导 / 人 label people, not units.
_ROLE_LABEL_RE = re.compile(
    rf"((?:牵头|主责|协同|配合)?(?:{_ROLE_WORDS}))\s*"
    r"(部门|单位|处室|科室|部室|机构|科|处|领导|人)?\s*:"
)
_LINE_LABEL_RE = re.compile(
    rf"(?:^|(?<=[。;\n]))\s*(?:牵头|主责|协同|配合)?(?:{_ROLE_WORDS})\s*"
    r"(?:部门|单位|处室|科室|部室|领导)\s*:"
)
# "市发改委牵头", "市财政局、市工信局配合", "各县区政府按职责分工负责".
_ROLE_VERB_RE = re.compile(
    r"(?:按职责分工|按照职责分工|按职责|根据职责|分别|共同|具体)?"
    rf"({_LEAD_WORDS}|{_PARTICIPANT_WORDS}|负责|落实|抓落实)$"
)
_GROUP_PREFIX_RE = re.compile(
    r"^(?:机关各|省直各|市直各|区直各|县直各|全省各|全市各|各|有关|相关|其他|其它)"
)
_GROUP_WORDS_RE = re.compile(r"^.{1,12}?各|(?:成员单位|有关单位|有关部门|相关单位|相关部门)$")
_DISTRIBUTED_PREFIX_RE = re.compile(r"^各(?:有关|相关)?")
_OWN_MARKER_RE = re.compile(r"各|有关|相关|所属|直属|^全")
_SPECIFIC_UNIT_RE = re.compile(r"(?:委|局|厅|署|办|办公室|公司|集团|银行|大学|学院|管委会)$")
# "市卫生健康委(除标注“分别牵头”外,列第一位为牵头单位,下同)": a remark, not part of the name.
_NAME_REMARK_RE = re.compile(r"\((?=[^()]*(?:[,;:“”\"]|下同|牵头|负责|汇总|单位))[^()]*\)")
_ROLE_MARK_RE = re.compile(r"\((牵头|配合|参与|协办|负责)\)$")
_NAME_TRAILING_WORDS_RE = re.compile(r"(?<=..)等(?:有关|相关)?(?:单位|部门)?$")
_UNIT_SUFFIXES = (
    *("局", "委", "厅", "办", "部", "室", "处", "科", "中心", "院", "所", "馆", "站", "会"),
    *("科协", "政府", "街道", "办事处", "管委会", "公司", "集团", "银行", "大学", "学校"),
    *("高校", "队", "团", "组", "单位", "部门", "机构", "区", "县", "市", "镇", "乡", "社"),
    *("署", "党委", "党组", "法院", "医院", "园区", "专班", "支队", "大队", "台", "厂", "企业"),
    *("妇联", "残联", "团委", "基地", "行", "司"),
)
_SOCIETY_SUFFIXES = ("学会", "协会", "研究会", "联合会", "促进会")
_CITY_SUFFIXES = ("市科协", "县科协", "区科协", "州科协", "盟科协")
# Checked in order; the first matching suffix wins ("报刊编辑部" is not a department).
_HOST_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("institution", ("科学院", "研究院", "设计院")),  # academies, not colleges (学院)
    ("university", ("大学", "学院", "高校")),
    ("enterprise", ("公司", "集团", "企业", "银行", "厂")),
    ("institution", ("编辑部", "馆", "中心", "院", "所", "站", "基地", "杂志社", "报社")),
    ("department", ("办公室", "部", "室", "党委", "处", "厅", "局", "科", "委", "组")),
)
_FIRST_LEADS_RE = re.compile(
    r"(?:排在|排|列在|列|居|位列|位于)?(?:第一位|首位|第一个|最前面|最前|首个)(?:的|者)?"
    r"(?:单位|部门)?(?:为|是)牵头"
)


def _is_group(name: str) -> bool:
    return _GROUP_PREFIX_RE.match(name) is not None or _GROUP_WORDS_RE.search(name) is not None


def _unit_kind(name: str) -> str:
    if _is_group(name):
        return "group"
    if name.endswith(_SOCIETY_SUFFIXES):
        return "society"
    if name.endswith(_CITY_SUFFIXES):
        return "city"
    # A university's or company's own association ("郑州大学科协") is of its host's kind.
    host = name.removesuffix("科协") or name
    for kind, suffixes in _HOST_KINDS:
        if host.endswith(suffixes):
            return kind
    return "other"


def _clean_unit_name(name: str) -> str:
    name = _NAME_REMARK_RE.sub("", name).strip(" \"'“”‘’《》")
    name = name.removeprefix("由").removeprefix("以")
    name = _NAME_TRAILING_WORDS_RE.sub("", name)
    return name


def _split_top_level(text: str, separators: str) -> list[str]:
    """Split on separators outside parentheses: "各县(市、区)政府、市发改委" is two names."""
    parts, depth, start = [], 0, 0
    for index, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in separators:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _split_unit_names(segment: str) -> list[tuple[str, str | None]]:
    """Names in a folded segment, with a leading "各" carried over a 、-list; role marks kept.

    "各高校科协、企业科协" names 各高校科协 and 各企业科协; an element with a marker of its own
    ("区直各部门") or naming one unit ("市发改委") keeps its name as written.
    """
    names: list[tuple[str, str | None]] = []
    runs = _split_top_level(segment, ",;。 \n")
    for index in range(len(runs) - 1, 0, -1):  # "省编办 (省审改办)": an alias, not a unit
        if runs[index].startswith("(") and runs[index - 1]:
            runs[index - 1 : index + 1] = [runs[index - 1] + runs[index]]
    for run in runs:
        prefix, head = "", ""
        for element in _split_top_level(run, "、"):
            mark = _ROLE_MARK_RE.search(element)
            role = None
            if mark:
                role = {"牵头": "lead", "负责": "responsible"}.get(mark.group(1), "participant")
                element = element[: mark.start()]
            name = _clean_unit_name(element)
            if not name:
                continue
            together = _TOGETHER_RE.fullmatch(name)
            if together and all(_looks_like_unit(n) for n in together.groups()):
                # "宣传处会办公室", "市委宣传部会同市文明办": the first leads, the other helps
                names += [(together.group(1), role or "lead"), (together.group(2), "participant")]
                continue
            if prefix and _carries_prefix(name, head):
                name = prefix + name
            elif (m := _DISTRIBUTED_PREFIX_RE.match(name)) is not None:
                prefix, head = m.group(0), name
            else:
                prefix = ""
            names.append((name, role))
    return names


_TOGETHER_RE = re.compile(r"(.{2,20}?[处室局委厅部办科中心])会同?(.{2,20})")


def _carries_prefix(name: str, head: str) -> bool:
    """Whether "各" of the list's head ("各高校科协") governs ``name`` ("企业科协"): a short class
    name or one of the head's kind, never a unit of its own ("平潭综合实验区", "市发改委")."""
    if _OWN_MARKER_RE.search(name) or _SPECIFIC_UNIT_RE.search(name):
        return False
    return len(name) <= 4 or name[-2:] == head[-2:]


def _looks_like_unit(name: str) -> bool:
    if not 2 <= len(name) <= 40 or re.search(r"[:\"“”%\d]", name):
        return False
    bare = re.sub(r"\([^()]*\)", "", name) or name
    return _is_group(name) or bare.endswith(_UNIT_SUFFIXES) or name.endswith(_SOCIETY_SUFFIXES)


def _names_if_units(text: str) -> list[tuple[str, str | None]] | None:
    """The unit names in ``text`` if it is nothing but a list of units, else None."""
    if not text.strip() or len(text) > 600:
        return None
    names = _split_unit_names(text)
    if names and all(_looks_like_unit(name) for name, _ in names):
        return names
    return None


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int
    units: tuple[tuple[str, str], ...]  # (name, role) with role lead | responsible | participant
    bare: bool = False  # a parenthesis of units without any role word


def _paren_spans(folded: str) -> list[tuple[int, int, bool]]:
    """Top-level "(…)" spans; an unclosed one runs to the end (closed=False)."""
    spans: list[tuple[int, int, bool]] = []
    depth = start = 0
    for index, ch in enumerate(folded):
        if ch in "([":
            if depth == 0:
                start = index
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, index + 1, True))
    if depth:
        spans.append((start, len(folded), False))
    return spans


def _labelled_units(inner: str) -> list[tuple[str, str]]:
    """ "牵头单位:A、B;配合单位:C" -> [(A, lead), (B, lead), (C, participant)]."""
    labels = list(_ROLE_LABEL_RE.finditer(inner))
    units: list[tuple[str, str]] = []
    for position, label in enumerate(labels):
        end = labels[position + 1].start() if position + 1 < len(labels) else len(inner)
        if label.group(2) in ("领导", "人"):
            continue  # 责任领导 / 责任人 name people, not units
        word = label.group(1)
        role = "lead" if "牵头" in word else (
            "participant" if re.search(_PARTICIPANT_WORDS, word) else "responsible"
        )  # fmt: skip
        segment = inner[label.end() : end].strip(" ,;。")
        verb = _ROLE_VERB_RE.search(segment)
        if verb and verb.group(1) == "牵头":
            role = "lead"  # "责任单位：市人力社保局、市农业农村局分别牵头"
        for name, marked in _split_unit_names(_strip_role_verb(segment)):
            units.append((name, marked or role))
    return units


def _strip_role_verb(segment: str) -> str:
    return _ROLE_VERB_RE.sub("", segment.strip(" ,;。"))


def _inline_units(inner: str) -> list[tuple[str, str]] | None:
    """ "市发改委牵头,市财政局、市工信局配合" -> roles from the verbs; None if not that form."""
    units: list[tuple[str, str]] = []
    verbs = 0
    for segment in _split_top_level(inner, ",;"):
        segment = segment.strip()
        if not segment:
            continue
        verb = _ROLE_VERB_RE.search(segment)
        role = "responsible"
        if verb:
            verbs += 1
            word = verb.group(1)
            role = "lead" if word == "牵头" else (
                "responsible" if word in ("负责", "落实", "抓落实") else "participant"
            )  # fmt: skip
            segment = segment[: verb.start()]
        parts = _split_top_level(segment, "及")
        names = [n for part in parts for n in (_names_if_units(part) or [])]
        if not names or len(names) < len([p for p in parts if p.strip()]):
            return None
        units.extend((name, marked or role) for name, marked in names)
    return units if verbs and units else None


_BRACKET_LABEL_RE = re.compile(
    rf"\[((?:牵头|主责|协同|配合)?(?:{_ROLE_WORDS})(?:部门|单位|处室|科室))\]"
)


_DIVISION_LINE_RE = re.compile(r"(?:部门分工|责任分工|任务分工|职责分工)\s*:")
# "分管省领导：林克庆" names a person, not a unit: cut out of the text, no unit taken.
_PERSON_LABEL_RE = re.compile(
    r"(?:分管|责任|牵头|联系|包抓)(?:省|市|区|县)?(?:领导|负责人|责任人)\s*:"
)


def _last_sentence(folded: str) -> tuple[int, int] | None:
    """Span of the text's last sentence (after the last 。 or line break before its end)."""
    end = len(folded.rstrip())
    if end == 0:
        return None
    start = max(folded.rfind(mark, 0, end - 1) for mark in "。\n") + 1
    return (start, end) if 0 < start < end else None


def _find_clauses(text: str) -> tuple[list[_Clause], list[ParseWarning]]:
    """Responsibility clauses in an item's text, and problems worth a warning.

    "（责任部门：…）" / "（牵头单位：…；配合单位：…）" anywhere, "（市发改委牵头，…配合）", a bare
    "（各成员单位）" that ends a sentence, and "牵头单位：…" lines outside parentheses.
    """
    # "【牵头单位】市发改委" is a label too: read it as " 牵头单位:" (same length, same offsets).
    folded = _BRACKET_LABEL_RE.sub(lambda m: f" {m.group(1)}:", _fold(text))
    clauses: list[_Clause] = []
    problems: list[ParseWarning] = []
    for start, end, closed in _paren_spans(folded):
        inner = folded[start + 1 : end - 1 if closed else end]
        if _ROLE_LABEL_RE.search(inner):
            units = _labelled_units(inner)
            if not closed:
                problems.append(ParseWarning.of("clause_not_closed"))
            if units:
                clauses.append(_Clause(start, end, tuple(units)))
            elif re.search(r"单位|部门", inner):
                problems.append(
                    ParseWarning.of("units_unreadable", text=_tidy(text[start:end])[:40])
                )
            continue
        inline = _inline_units(inner) if closed else None
        if inline:
            clauses.append(_Clause(start, end, tuple(inline)))
            continue
        after = folded[end:].lstrip(" ")
        ends_sentence = not after or after[0] in "。;\n" or folded[:start].rstrip().endswith("。")
        bare = _names_if_units(inner) if closed and ends_sentence else None
        if bare:
            found = tuple((name, marked or "responsible") for name, marked in bare)
            clauses.append(_Clause(start, end, found, bare=True))
    taken = [(c.start, c.end) for c in clauses]
    for m in _LINE_LABEL_RE.finditer(folded):
        if any(a <= m.start() < b for a, b in taken):
            continue
        line_end = folded.find("\n", m.end())
        end = len(folded) if line_end < 0 else line_end
        units = _labelled_units(folded[m.start() : end].strip())
        if units:
            clauses.append(_Clause(m.start(), end, tuple(units)))
            taken.append((m.start(), end))
    for m in _PERSON_LABEL_RE.finditer(folded):
        if any(a <= m.start() < b for a, b in taken):
            continue
        stops = [folded.find("\n", m.end())]
        stops += [x.start() for x in (_ROLE_LABEL_RE.search(folded, m.end()),
                                       _DIVISION_LINE_RE.search(folded, m.end())) if x]  # fmt: skip
        end = min([stop for stop in stops if stop >= 0] or [len(folded)])
        clauses.append(_Clause(m.start(), end, ()))
        taken.append((m.start(), end))
    for m in _DIVISION_LINE_RE.finditer(folded):  # "部门分工：省发展改革委牵头，各地配合。"
        line_end = folded.find("\n", m.end())
        end = len(folded) if line_end < 0 else line_end
        if any(a <= m.start() < b for a, b in taken):
            continue
        inline = _inline_units(folded[m.end() : end].strip().rstrip("。;"))
        if inline:
            clauses.append(_Clause(m.start(), end, tuple(inline)))
            taken.append((m.start(), end))
    last = _last_sentence(folded)
    if last is not None and not any(a < last[1] and last[0] < b for a, b in taken):
        inline = _inline_units(folded[last[0] : last[1]].rstrip("。;"))
        if inline:  # "…。市发改委牵头，市财政局、市工信局配合。"
            clauses.append(_Clause(last[0], last[1], tuple(inline)))
    clauses.sort(key=lambda c: c.start)
    return clauses, problems


def _resolve_roles(named: list[tuple[str, str]], *, first_leads: bool) -> list[ParsedUnit]:
    """Final roles: 牵头 leads; 责任 leads unless a 牵头 is named (then it takes part), or the
    notice says the first-listed unit leads; collective groups take part unless labelled 牵头."""
    has_lead = any(role == "lead" for _, role in named)
    units: list[ParsedUnit] = []
    first_done = False
    for name, role in named:
        if len(name) > 60:
            continue
        kind = _unit_kind(name)
        if role == "responsible":
            if has_lead:
                role = "participant"
            elif first_leads:
                role = "participant" if first_done else "lead"
                first_done = True
            else:
                role = "participant" if kind == "group" else "lead"
        units.append(ParsedUnit(name=name, kind=kind, role=role))
    return units


def _dedupe_units(
    units: list[ParsedUnit], warnings: list[ParseWarning], code: str
) -> tuple[ParsedUnit, ...]:
    """Keep one entry per name; a unit that leads anywhere in the task is a lead."""
    chosen: dict[str, ParsedUnit] = {}
    for unit in units:
        seen = chosen.get(unit.name)
        if seen is None and len(chosen) == _MAX_PER_TASK:
            warnings.append(ParseWarning.of("too_many_units", task=code, limit=_MAX_PER_TASK))
            continue
        if seen is None or (seen.role != "lead" and unit.role == "lead"):
            chosen[unit.name] = unit
    return tuple(chosen.values())


# --------------------------------------------------------------------------- 5b. indicators

# Measure words a target is counted in; longest first so "万人次" wins over "万".
_MEASURES = sorted(
    [
        *("万人次", "万人", "万元", "亿元", "万册", "万份", "万场", "万个", "万家", "万名"),
        *("万", "亿", "个百分点", "人次", "场次", "课时", "学时", "平方米", "公里", "千米"),
        *("万吨", "万亩", "万平方米", "万千瓦", "万户", "万套", "万辆", "万株", "亿美元", "万美元"),
        *("亿立方米", "个工作日", "工作日", "小时", "公顷", "千瓦", "辆", "株", "艘", "架"),
        *"个家场期名项次人篇部件所批支座套本册份门台条种类户村站队团班处间位元吨亩%",
    ],
    key=len,
    reverse=True,
)
_MEASURE = "|".join(re.escape(m) for m in _MEASURES)
_NUMBER = rf"\d{{1,12}}(?:\.\d{{1,6}})?|[{_CN_NUMERAL}]{{1,6}}"
_NOT_BEFORE_NUMBER = rf"(?<![\d.A-Za-z×*/第{_CN_NUMERAL}])"
_RANGE_RE = re.compile(
    rf"{_NOT_BEFORE_NUMBER}(\d{{1,12}}(?:\.\d{{1,6}})?)\s*(?:-|~|至|到)\s*({_NUMBER})\s*({_MEASURE})"
)
_SINGLE_RE = re.compile(rf"{_NOT_BEFORE_NUMBER}({_NUMBER})\s*({_MEASURE})")
# A measure word followed by these characters is part of another word ("3个月", "5部门").
_MEASURE_NOT_FOLLOWED_BY = {
    "个": "月方层环维阶步小工",
    "场": "馆所地景合",
    "家": "庭乡长属",
    "部": "门署分队",
    "所": "有在属以谓",
    "人": "员才民大口工事",
    "名": "单义称誉额",
    "期": "刊间待限望",
    "支": "持撑付部",
    "批": "准评示复次",
    "条": "件例款",
    "处": "理置室长",
    "门": "户类槛诊",
    "座": "谈",
    "本": "科土地身级领",
    "团": "队体结",
    "班": "子级",
    "队": "伍员",
    "户": "籍",
    "位": "于置居",
    "元": "素旦",
    "次": "会全",
    "间": "隔断",
    "类": "似",
}
_COMPARATOR_BEFORE = sorted(
    [
        ("不少于", "gte"), ("不低于", "gte"), ("不小于", "gte"), ("至少", "gte"), ("超过", "gte"),
        ("多于", "gte"), ("达到", "gte"), ("突破", "gte"), ("最少", "gte"), ("大于", "gte"),
        ("高于", "gte"), ("不超过", "lte"), ("不高于", "lte"), ("不多于", "lte"),
        ("不大于", "lte"), ("控制在", "lte"), ("低于", "lte"), ("少于", "lte"), ("最多", "lte"),
        ("小于", "lte"), ("大约", "about"), ("约为", "about"), ("约", "about"),
        ("压缩至", "lte"), ("压缩到", "lte"), ("压减至", "lte"), ("降至", "lte"), ("降到", "lte"),
        ("降低到", "lte"), ("降低至", "lte"), ("减少到", "lte"), ("减少至", "lte"),
        ("提高到", "gte"), ("提高至", "gte"), ("提升到", "gte"), ("提升至", "gte"),
        ("增加到", "gte"), ("增加至", "gte"), ("增至", "gte"),
    ],
    key=lambda pair: len(pair[0]),
    reverse=True,
)  # fmt: skip
# Chinese numerals are names far more often than targets ("五大行动", "一批"), so they count
# only right after one of these.
_EXPLICIT_BOUNDS = (
    "不少于", "不低于", "不小于", "至少", "最少", "不超过", "不高于", "不多于", "最多", "控制在",
)  # fmt: skip
_COMPARATOR_AFTER_RE = re.compile(
    r"(及以上|或以上|以上)|(及以下|以内|以下|之内|内(?![容部资外涵在需控地陆]))|(左右|上下)"
)  # used with match(pos)
# "节约" / "制约" / "签约" end in 约 but do not mean "about".
_NOT_ABOUT_RE = re.compile(r"[节制签合公条预邀契违履践守]约$")
# Chinese numerals count as targets only in front of these measure words ("三个", "两场",
# "十五家"), never 一 on its own ("一批", "一报一刊"), nor in quotes or set phrases.
_CN_COUNT_MEASURES = frozenset("个家场项名所期座篇部批套台处户村站支次")
_DELIVER_VERB_RE = re.compile(
    r"(?:建设|建成|新建|创建|打造|培育|新增|增加|举办|开展|组织|召开|评选|认定|认证|培训|推出|实施|"
    r"完成|创成|争创|引进|设立|成立|遴选|推荐|发布|出台|制定|编制|打造|建立|办好|办|建|创|达|"
    r"选树|表彰|命名|支持|资助|扶持|招引|落地|签约|新设|培养|选派|设置)(?:了|好|成|出)?$"
)
_SET_PHRASE_RE = re.compile(
    r"^(?:确立|维护|意识|自信|全面|代表|务必|结合|面向|一百年|毫不动摇|确保|转变|统筹|坚持|"
    r"必须|服务|优先|清单|倍增|融合|落实|大局)"
)
_NAME_STOP_RE = re.compile(r"等(?=[在向于参开的为和与及]|$)|(?<=..)(?:在|向|期间)")
_NAME_TRAILING_RE = re.compile(r"(?:的)?(?:带动|示范|引领|辐射|积极)?作用$|(?:的)?(?:目标|任务)$")
_SUBJECT_LEADING_RE = re.compile(
    r"^(?:全年|年内|今年|本年度|年度|力争|确保|争取|努力|累计|开展|举办|组织)+"
)
_SUBJECT_TRAILING_RE = re.compile(
    r"(?:的)?(?:数量|总数|人数|规模|总量|数|共计|累计|总计|共|达|要)+$"
)
_QUOTES_RE = re.compile(r"[\"“”‘’'《》「」『』]")
_ZERO_LIST_RE = re.compile(
    r"零[^零、,;.。\"“”'‘’()《》\s]{1,8}(?:、零[^零、,;.。\"“”'‘’()《》\s]{1,8})*"
)
_ZERO_TRAILING_RE = re.compile(r"(?:的)?(?:目标|要求|底线|标准|发生|现象)$")
# 零 starts many ordinary words ("零距离", "零碳园区", "零容忍"): these are not zero targets.
_ZERO_NOT_TARGETS = (
    "距离", "基础", "门槛", "碳", "售", "部件", "星", "散", "件", "时", "点", "工",
    "食", "钱", "用", "容忍", "度", "起点", "成本", "配件", "花",
)  # fmt: skip
_ZERO_CONTEXT_RE = re.compile(r"实现|确保|做到|保持|力争|目标")
_ANY_DIGIT_OR_ZERO_RE = re.compile(rf"[\d{_CN_NUMERAL}]")


@dataclass(frozen=True)
class _Text:
    """A description with its folded twin and clause spans, computed once per task."""

    text: str
    folded: str
    clauses: list[tuple[int, int]]

    @classmethod
    def of(cls, text: str) -> _Text:
        return cls(text, _fold(text), _clauses(text))


def _clauses(text: str) -> list[tuple[int, int]]:
    """Spans of comma/semicolon clauses, not cut inside quotes or brackets, nor in "1,000"."""
    spans: list[tuple[int, int]] = []
    depth = start = 0
    for index, ch in enumerate(text):
        if ch in "“（(《「『【":
            depth += 1
        elif ch in "”）)》」』】":
            depth = max(0, depth - 1)
        elif ch in "。！？!?；;.\n" or (ch in "，," and depth == 0):
            if (
                ch in ",."
                and 0 < index < len(text) - 1
                and text[index - 1 : index + 2 : 2].isdigit()
            ):
                continue  # "1,000" and "1.5" are numbers, not clause ends
            spans.append((start, index))
            start = index + 1
            if ch not in "，,":
                depth = 0
    spans.append((start, len(text)))
    return [(start, end) for start, end in spans if text[start:end].strip()]


def _decimal(text: str) -> Decimal | None:
    if text.isascii():
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    value = _cn_to_int(text)
    return None if value is None else Decimal(value)


def _comparator_before(prefix: str) -> tuple[str | None, int]:
    compact = prefix.rstrip()
    for marker, comparator in _COMPARATOR_BEFORE:
        if compact.endswith(marker):
            return comparator, len(compact) - len(marker)
    return None, len(compact)


def _name_after(text: str) -> str:
    stop = _NAME_STOP_RE.search(text)
    name = text[: stop.start()] if stop else text
    name = _QUOTES_RE.sub("", name).strip()
    name = _NAME_TRAILING_RE.sub("", name).strip()
    return name[:40]


def _name_before(text: str) -> str:
    name = _QUOTES_RE.sub("", text).strip()
    name = _SUBJECT_LEADING_RE.sub("", name)
    name = _SUBJECT_TRAILING_RE.sub("", name).strip()
    return name[-40:]


@dataclass(frozen=True)
class _Target:
    position: int
    name: str
    comparator: str
    value: Decimal
    maximum: Decimal | None
    label: str
    source: str


def _targets_in_clause(
    clause: str, folded: str, offset: int, warnings: list[ParseWarning], code: str
) -> list[_Target]:
    found: list[_Target] = []
    if not (_SINGLE_RE.search(folded) or _ZERO_LIST_RE.search(folded)):
        return found  # most clauses with a digit hold a year or an ordinal, not a target
    source = _tidy(clause)
    in_range = bytearray(len(folded))  # "3-5家" must not also yield "5家"
    for m in itertools.islice(_RANGE_RE.finditer(folded), _MAX_CANDIDATES):
        low, high = _decimal(m.group(1)), _decimal(m.group(2))
        if low is None or high is None or not _measure_stands_alone(folded, m.end(3), m.group(3)):
            continue
        if low > high:
            warnings.append(ParseWarning.of("range_reversed", task=code, text=m.group(0)))
            continue
        in_range[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        found.append(_make_target(clause, folded, m, "between", (low, high), offset, source))
    for m in itertools.islice(_SINGLE_RE.finditer(folded), _MAX_CANDIDATES):
        value = _decimal(m.group(1))
        if in_range[m.start()] or value is None:
            continue
        if not _measure_stands_alone(folded, m.end(2), m.group(2)):
            continue
        before = folded[max(0, m.start() - _WINDOW) : m.start()]
        if not m.group(1).isascii() and not _chinese_count(folded, m, before):
            continue
        if re.search(r"\(\s*共?$", before) and folded[m.end() : m.end() + 1] == ")":
            continue  # "一、稳增长(11项)": how many items follow, not a target
        comparator, _ = _comparator_before(before)
        if comparator == "about" and _NOT_ABOUT_RE.search(before.rstrip()):
            comparator = None
        after = _COMPARATOR_AFTER_RE.match(folded, m.end())
        if after and after.group(3):
            comparator = "about"  # "增长6.2%左右", "达到200场左右"
        elif after:
            comparator = comparator or ("gte" if after.group(1) else "lte")
        comparator = comparator or "gte"  # "实施好50个…": a count to deliver is a floor
        found.append(_make_target(clause, folded, m, comparator, (value, None), offset, source))
    found.extend(_zero_targets(folded, offset, source))
    return found


def _chinese_count(folded: str, m: re.Match[str], before: str) -> bool:
    """Whether a Chinese numeral is a count to deliver ("建设三个基地"), not a name
    ("五大行动", "一批", "“两个确立”", "第三次")."""
    if before.rstrip().endswith(_EXPLICIT_BOUNDS):
        return True
    numeral, measure = m.group(1), m.group(2)
    if numeral in ("一", "百", "千", "零", "〇"):
        return False  # "一批", "百家谈", "千家万户"
    if measure not in _CN_COUNT_MEASURES or before.endswith(("第", "届", "“", '"')):
        return False
    if before.count("“") > before.count("”") or before.count('"') % 2:
        return False  # inside quotes: a slogan
    if not _DELIVER_VERB_RE.search(before):
        return False  # "宣传三项政策" refers to three policies; "举办两场" sets a count
    return _SET_PHRASE_RE.match(folded, m.end()) is None


def _measure_stands_alone(folded: str, end: int, measure: str) -> bool:
    following = folded[end : end + 1]
    return not (following and following in _MEASURE_NOT_FOLLOWED_BY.get(measure, ""))


def _make_target(
    clause: str,
    folded: str,
    m: re.Match[str],
    comparator: str,
    bounds: tuple[Decimal, Decimal | None],
    offset: int,
    source: str,
) -> _Target:
    """Name the target: the noun after the number, else the subject before the comparator."""
    after = _COMPARATOR_AFTER_RE.match(folded, m.end())
    after_start = after.end() if after else m.end()
    name = _name_after(clause[after_start : after_start + _WINDOW])
    if len(name) < 2:
        window_start = max(0, m.start() - _WINDOW)
        _, marker_start = _comparator_before(folded[window_start : m.start()])
        name = _name_before(clause[window_start : window_start + marker_start]) or source[:40]
    label = m.group(m.lastindex or 0)
    return _Target(offset + m.start(), name, comparator, bounds[0], bounds[1], label, source)


def _zero_targets(folded: str, offset: int, source: str) -> list[_Target]:
    """ "零上访、零事故、零案件" -> three "at most 0 incidents" targets."""
    found: list[_Target] = []
    for m in _ZERO_LIST_RE.finditer(folded):
        names = [_ZERO_TRAILING_RE.sub("", part[1:]) for part in m.group(0).split("、")]
        if m.start() > 0 and _ANY_DIGIT_OR_ZERO_RE.match(folded, m.start() - 1):
            continue  # the 零 inside a number: "一百零五个"
        names = [n for n in names if 1 <= len(n) <= 6 and not n.startswith(_ZERO_NOT_TARGETS)]
        names = [n for n in names if not _ANY_DIGIT_OR_ZERO_RE.match(n)]
        if not names or (len(names) == 1 and not _ZERO_CONTEXT_RE.search(folded)):
            continue
        for index, name in enumerate(names):
            position = offset + m.start() + index
            found.append(_Target(position, name, "lte", Decimal(0), None, "起", source))
    return found


def _extract_indicators(
    code: str, text: _Text, warnings: list[ParseWarning]
) -> tuple[ParsedIndicator, ...]:
    targets: list[_Target] = []
    folded = text.folded
    for start, end in text.clauses:
        if len(targets) >= _MAX_CANDIDATES:
            warnings.append(ParseWarning.of("too_many_numbers", task=code))
            break
        if _ANY_DIGIT_OR_ZERO_RE.search(folded, start, end):
            clause, folded_clause = text.text[start:end], folded[start:end]
            targets.extend(_targets_in_clause(clause, folded_clause, start, warnings, code))
    indicators: list[ParsedIndicator] = []
    seen: set[tuple[str, str, Decimal, Decimal | None, str]] = set()
    for target in sorted(targets, key=lambda t: t.position):
        key = (target.name, target.comparator, target.value, target.maximum, target.label)
        if key in seen:
            continue
        if len(indicators) == _MAX_PER_TASK:
            warnings.append(ParseWarning.of("too_many_indicators", task=code, limit=_MAX_PER_TASK))
            break
        seen.add(key)
        indicators.append(
            ParsedIndicator(
                code=f"{code}-{len(indicators) + 1}",
                name=target.name,
                comparator=target.comparator,
                target_value=target.value,
                target_max=target.maximum,
                unit_label=target.label,
                source_text=target.source,
            )
        )
    return tuple(indicators)


# --------------------------------------------------------------------------- 5c. milestones

_CN_OR_DIGITS = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_YEAR_PREFIX = r"(?:((?:19|20|21)\d{2})\s*年)?"
_BY = r"(?:之|以)?前"
# "三年内" is a duration, not "within this year": no numeral may precede 年内 / 年底.
_BARE_YEAR = r"(?:((?:19|20|21)\d{2})\s*|(?<![\d一二三四五六七八九十两几数近多全明去前]))年"
_MILESTONE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("day", re.compile(rf"{_YEAR_PREFIX}({_CN_OR_DIGITS})月({_CN_OR_DIGITS})[日号](?:之|以)?前")),
    ("month", re.compile(rf"{_YEAR_PREFIX}({_CN_OR_DIGITS})月份?(?:[底末]{_BY}?|{_BY})")),
    ("quarter", re.compile(rf"{_YEAR_PREFIX}第?([一二三四1-4])季度(?:末|底)?(?:之|以)?前?")),
    ("half", re.compile(rf"{_YEAR_PREFIX}(上|下)半年")),
    ("year_end", re.compile(rf"{_BARE_YEAR}(?:底|末)(?:之|以)?前?")),
    ("within_year", re.compile(rf"{_BARE_YEAR}内")),
)  # fmt: skip
_MILESTONE_HINT_RE = re.compile(r"月|季度|半年|年底|年末|年内")
_MILESTONE_LEADING_RE = re.compile(
    r"^(?:[，,、\s]|确保|力争|争取|要|在|于|之前|以前|前|底|并|将|完成时间)+"
)


def _milestone_date(kind: str, m: re.Match[str], year: int) -> date | None:
    groups = [g for g in m.groups()]
    explicit_year = next((g for g in groups if g and len(g) == 4 and g.isdigit()), None)
    y = int(explicit_year) if explicit_year else year
    numbers = [g for g in groups if g and g != explicit_year]
    try:
        if kind == "day":
            month, day = _to_int(numbers[0]), _to_int(numbers[1])
            return date(y, month, day) if month and day else None
        if kind == "month":
            month = _to_int(numbers[0])
            return date(y, month, calendar.monthrange(y, month)[1]) if month else None
        if kind == "quarter":
            quarter = _to_int(numbers[0])
            return date(y, quarter * 3, 31 if quarter in (1, 4) else 30) if quarter else None
        if kind == "half":
            return date(y, 6, 30) if numbers[0] == "上" else date(y, 12, 31)
        return date(y, 12, 31)
    except (ValueError, IndexError, calendar.IllegalMonthError):
        return None


def _extract_milestones(
    code: str, text: _Text, year: int, warnings: list[ParseWarning]
) -> tuple[ParsedMilestone, ...]:
    milestones: dict[ParsedMilestone, None] = {}  # ordered and de-duplicated
    examined = 0
    for start, end in text.clauses:
        if not _MILESTONE_HINT_RE.search(text.folded, start, end):
            continue
        clause, folded = text.text[start:end], text.folded[start:end]
        source = _tidy(clause)
        for kind, pattern in _MILESTONE_PATTERNS:
            for m in pattern.finditer(folded):
                examined += 1
                if examined > _MAX_CANDIDATES:
                    warnings.append(ParseWarning.of("too_many_time_phrases", task=code))
                    return tuple(milestones)
                due = _milestone_date(kind, m, year)
                if due is None:
                    warnings.append(ParseWarning.of("impossible_date", task=code, text=m.group(0)))
                    continue
                # The title is the clause without its time phrase: "9月底前完成验收" -> "完成验收".
                rest = clause[max(0, m.start() - _WINDOW) : m.start()]
                rest += clause[m.end() : m.end() + _WINDOW]
                title = _MILESTONE_LEADING_RE.sub("", _tidy(rest)).strip() or source
                milestones[ParsedMilestone(title=title[:60], due_on=due, source_text=source)] = None
                if len(milestones) == _MAX_PER_TASK:
                    warnings.append(
                        ParseWarning.of("too_many_milestones", task=code, limit=_MAX_PER_TASK)
                    )
                    return tuple(milestones)
    return tuple(milestones)


# --------------------------------------------------------------------------- assemble tasks

# A half-width "." ends a sentence only between CJK text, never inside "1.5".
_TITLE_END_SENTENCE_RE = re.compile(
    r"[。！？!?]|(?<=[\u4e00-\u9fff”）)])\.(?=[\u4e00-\u9fff“（(]|$)"
)


def _first_sentence(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    m = _TITLE_END_SENTENCE_RE.search(first_line)
    title = first_line[: m.start()] if m else first_line
    if len(title) > 80:
        comma = re.search(r"[，,；;]", title)
        title = title[: comma.start()] if comma else title[:80]
    return title.strip().rstrip("；;，,：:、")


_CODE_SAFE_RE = re.compile(r"[0-9A-Za-z.\-]{1,16}")


def _node_codes(nodes: list[_Node]) -> list[str]:
    """Codes unique within the plan: "S1", "S1.2", "KT3", "WP12", "WP12.1" (a sub-task of
    WP12); item numbering restarted per section gets "WP2.1", anything left over "_2"."""
    item_codes: dict[int, str] = {}
    for prefix, kind in (("KT", "key_task"), ("WP", "work_point")):
        items = [n for n in nodes if n.kind == kind]
        numbers = [
            n.number if _CODE_SAFE_RE.fullmatch(n.number) else str(i)
            for i, n in enumerate(items, 1)
        ]
        restarted = len(set(numbers)) < len(numbers)
        for node, number in zip(items, numbers, strict=True):
            code = f"{prefix}{node.section_index}.{number}" if restarted else prefix + number
            item_codes[id(node)] = code
    codes: dict[int, str] = {}
    seen: dict[str, int] = {}
    for node in nodes:
        if id(node) in item_codes:
            code = item_codes[id(node)]
        elif node.kind == "section":
            code = f"S{node.value}"
        elif node.parent is not None:
            code = f"{codes[id(node.parent)]}.{node.value}"
        else:
            code = f"SUB{node.value}"
        seen[code] = seen.get(code, 0) + 1
        codes[id(node)] = code if seen[code] == 1 else f"{code}_{seen[code]}"
    return [codes[id(node)] for node in nodes]


_ROW_MONTH_RE = re.compile(
    r"(?:((?:19|20|21)\d{2})\s*年)?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月份?$"
)


def _row_due(deadline: str, year: int) -> date | None:
    """A 完成时限 cell: "2023年6月底前", "9月", "年底前", "长期坚持" (None)."""
    folded = _fold(deadline).replace(" ", "")
    m = _ROW_MONTH_RE.search(folded)
    if m:
        month = _to_int(m.group(2))
        y = int(m.group(1)) if m.group(1) else year
        if month and 1 <= month <= 12:
            return date(y, month, calendar.monthrange(y, month)[1])
    return None


def _row_units(row: _Row) -> list[tuple[str, str]]:
    named: list[tuple[str, str]] = []
    for cells, role in ((row.leads, "lead"), (row.responsible, "responsible"),
                        (row.participants, "participant")):  # fmt: skip
        for cell in cells:
            folded = _strip_role_verb(_fold(cell).replace("\n", "、"))
            named.extend((name, marked or role) for name, marked in _split_unit_names(folded))
    return named


def _build_task(
    node: _Node, code: str, year: int, warnings: list[ParseWarning], *, first_leads: bool
) -> ParsedTask:
    own: list[ParseWarning] = []  # this task's warnings, also added to the plan's
    joined = _join_fragments(node.fragments)
    clauses, problems = _find_clauses(joined)
    own.extend(replace(problem, task=code) for problem in problems)
    named = _row_units(node.row) if node.row is not None else []
    clause_texts = [_tidy(joined[c.start : c.end]) for c in clauses]
    for clause in clauses:
        named.extend(clause.units)
    if any(c.bare for c in clauses):
        own.append(ParseWarning.of("unlabelled_units", task=code))
    units = _resolve_roles(named, first_leads=first_leads)
    kept, last = [], 0
    for clause in clauses:
        kept.append(joined[last : clause.start])
        last = clause.end
    description = _tidy("".join([*kept, joined[last:]]))
    if node.row is not None and node.row.target:
        description = _tidy(f"{description}\n{node.row.target}")
    if node.kind in ("key_task", "work_point"):
        if not named:
            own.append(ParseWarning.of("no_responsibility_clause", task=code))
        elif not any(u.role == "lead" for u in units):
            own.append(ParseWarning.of("only_collective_units", task=code))
        if not description:
            own.append(ParseWarning.of("no_text", task=code))
    text = _Text.of(description)
    indicators = _extract_indicators(code, text, own)
    milestones = _extract_milestones(code, text, year, own)
    due_on = max((m.due_on for m in milestones), default=date(year, 12, 31))
    if node.row is not None and node.row.deadline:
        row_due = _row_due(node.row.deadline, year)
        deadline_milestones = _extract_milestones(code, _Text.of(node.row.deadline), year, own)
        if row_due is None and deadline_milestones:
            row_due = max(m.due_on for m in deadline_milestones)
        if row_due is not None:
            due_on = row_due
            title = f"完成时限：{_tidy(node.row.deadline)}"[:60]
            milestones = (*milestones, ParsedMilestone(title, row_due, _tidy(node.row.deadline)))
    if node.kind == "section":
        title = _tidy(node.fragments[0]).replace("\n", "")  # the heading line itself
    else:
        title = _first_sentence(description)
    kept_units = _dedupe_units(units, own, code)
    warnings.extend(own)
    return ParsedTask(
        kind=node.kind,
        number=node.number,
        title=title,
        description=description,
        parent_number=node.parent_number,
        units=kept_units,
        indicators=indicators,
        milestones=milestones,
        due_on=due_on,
        related=(),
        code=code,
        subsection=node.subsection,
        responsibility_text="\n".join(clause_texts),
        source_text=_tidy("\n".join([node.head, *node.fragments[1:]])),
        warnings=tuple(dict.fromkeys(own)),
    )


# --------------------------------------------------------------------------- 6. link

_LINK_THRESHOLD = 0.5
_BIGRAM_CHARS = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]+")


def _bigrams(text: str) -> frozenset[str]:
    compact = _BIGRAM_CHARS.sub("", text)
    return frozenset(a + b for a, b in itertools.pairwise(compact))


@dataclass(frozen=True)
class _Profile:
    """A task's bigrams, computed once per linking run."""

    task: ParsedTask
    title: frozenset[str]
    text: frozenset[str]


def _profile(task: ParsedTask) -> _Profile:
    return _Profile(task, _bigrams(task.title), _bigrams(task.description))


def _text_score(
    title: frozenset[str], other_title: frozenset[str], other_text: frozenset[str]
) -> float:
    """Dice on titles, or how much of the key task's title the other text contains."""
    if not title:
        return 0.0
    dice = 2 * len(title & other_title) / (len(title) + len(other_title)) if other_title else 0.0
    containment = len(title & other_text) / len(title)
    return max(dice, containment)


def _lead_overlap(a: ParsedTask, b: ParsedTask) -> float:
    leads_a = {u.name for u in a.units if u.role == "lead"}
    leads_b = {u.name for u in b.units if u.role == "lead"}
    union = leads_a | leads_b
    return len(leads_a & leads_b) / len(union) if union else 0.0


def _best_work_point(
    key_task: _Profile, points: list[_Profile], sections: list[_Profile]
) -> ParsedTask | None:
    title = key_task.title
    scored = [(_text_score(title, p.title, p.text), p.task) for p in points]
    direct_score, direct = max(scored, key=lambda s: s[0], default=(0.0, None))
    section_scores = [(_text_score(title, frozenset(), s.title), s.task) for s in sections]
    section_score, section = max(section_scores, key=lambda s: s[0], default=(0.0, None))
    if section is not None and section_score >= _LINK_THRESHOLD and section_score > direct_score:
        # The key task restates a section heading: pick the section's work point that shares
        # the most wording and lead units with it.
        children = [(s, p) for s, p in scored if p.parent_number == section.number]
        if children:
            return max(children, key=lambda c: c[0] + _lead_overlap(key_task.task, c[1]))[1]
    if direct is None or direct_score < _LINK_THRESHOLD:
        return None
    close = [(s, p) for s, p in scored if s >= direct_score - 0.05]
    return max(close, key=lambda c: c[0] + 0.25 * _lead_overlap(key_task.task, c[1]))[1]


def link_related(tasks: Iterable[ParsedTask]) -> tuple[ParsedTask, ...]:
    """Fill ``related`` both ways: each key task gets its best-matching work point."""
    all_tasks = tuple(replace(t, related=(), related_codes=()) for t in tasks)
    points = [_profile(t) for t in all_tasks if t.kind == "work_point"]
    sections = [_profile(t) for t in all_tasks if t.kind == "section"]
    pairs: list[tuple[ParsedTask, ParsedTask]] = []
    for key_task in (_profile(t) for t in all_tasks if t.kind == "key_task"):
        point = _best_work_point(key_task, points, sections)
        if point is not None:
            pairs.append((key_task.task, point))
    linked: list[ParsedTask] = []
    for task in all_tasks:
        partners = [p for k, p in pairs if k is task] + [k for k, p in pairs if p is task]
        if partners:
            partners.sort(key=lambda p: (len(p.number), p.number))
            task = replace(
                task,
                related=tuple(p.number for p in partners),
                related_codes=tuple(p.code for p in partners),
            )
        linked.append(task)
    return tuple(linked)


# --------------------------------------------------------------------------- tables

# What a task-division table's header cell says its column holds. Checked in order.
_COLUMN_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ignore", re.compile(r"领导$|责任人|联系人|备注|联系方式|电话")),
    ("number", re.compile(r"^(?:序号|编号|序次|序|号)$")),
    ("lead", re.compile(r"牵头")),
    ("participant", re.compile(r"配合|协办|参与|协助|协同")),
    ("responsible", re.compile(r"(?:责任|负责|承办|实施|主责|主办)(?:单位|部门|处室|科室|主体)")),
    ("deadline", re.compile(r"时限|时间|期限|节点|进度")),
    ("task", re.compile(r"任务|工作|事项|内容|措施|举措|项目|实事|名称|要点|细化|具体分工")),
    ("target", re.compile(r"目标|指标")),
)
_TABLE_SPLIT_RE = re.compile(r"\t+|\s*[|｜]\s*| {2,}|\u3000+")
_ROW_NUMBER_RE = re.compile(r"^\(?\s*(\d{1,4})\s*[).、.]?$")


def _column_of(header: str) -> str | None:
    compact = re.sub(r"\s+", "", _fold(header))
    if not compact or len(compact) > 16:
        return None
    for column, pattern in _COLUMN_RULES:
        if pattern.search(compact):
            return column
    return None


def _header_columns(cells: tuple[str, ...]) -> tuple[str | None, ...] | None:
    """Each column's meaning if ``cells`` is a task-division header row, else None."""
    columns = tuple(_column_of(cell) for cell in cells)
    known = [c for c in columns if c and c != "ignore"]
    units = {"lead", "responsible", "participant"} & set(known)
    if ({"task", "target"} & set(known)) and (units or "number" in known) and len(known) >= 2:
        return columns
    return None


def _clean_cell(text: str) -> str:
    text = _LINE_BREAKS.sub("\n", text.replace("\x00", ""))
    text = _CONTROL.sub("", _INVISIBLE.sub("", text).translate(_ALNUM_TO_ASCII))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class _TableReader:
    """Turns tables into body lines: a data row of a task-division table becomes one item
    (a ``_Row``); any other table is read as text, cell by cell."""

    def __init__(self) -> None:
        self.columns: tuple[str | None, ...] | None = None  # of the last task table
        self.previous: tuple[str, ...] = ()  # the last data row, for cells merged down

    def read(self, rows: list[tuple[str, ...]]) -> list[tuple[str, _Row | None]]:
        rows = [tuple(_clean_cell(c) for c in row) for row in rows[:20_000]]
        rows = [row for row in rows if any(row)]
        out: list[tuple[str, _Row | None]] = []
        start, columns = 0, None
        for index, row in enumerate(rows[:10]):
            columns = _header_columns(row)
            if columns:
                start = index + 1
                for title_row in rows[:index]:  # a merged title line above the header
                    out.extend((cell, None) for cell in dict.fromkeys(title_row) if cell)
                break
        if columns is None and self.columns and rows and len(rows[0]) == len(self.columns):
            columns = self.columns  # the same table, continued on the next page
        if columns is None:
            self.columns = None
            for row in rows:
                out.extend((cell, None) for cell in dict.fromkeys(row) if cell)
            return out
        self.columns = columns = _group_columns(columns, rows[start:])
        for row in rows[start:]:
            out.extend(self._data_row(row, columns))
        return out

    def _data_row(
        self, row: tuple[str, ...], columns: tuple[str | None, ...]
    ) -> list[tuple[str, _Row | None]]:
        if _header_columns(row):
            return []  # the header repeated on a new page
        cells: dict[str, list[str]] = {}
        for cell, column in zip(row, columns, strict=False):
            if column and column != "ignore" and cell and cell not in cells.get(column, []):
                cells.setdefault(column, []).append(cell)
        distinct = [c for c in dict.fromkeys(row) if c]
        number = " ".join(cells.get("number", []))
        units = [*cells.get("lead", []), *cells.get("responsible", []),
                 *cells.get("participant", [])]  # fmt: skip
        if len(distinct) == 1:
            return [(distinct[0], None)]  # a merged heading row: "一、…", a category
        heading = _classify(number.replace("\n", "")) if number else None
        if heading is not None and heading.kind == "num" and heading.style in (
            "cn", "cn_paren", "chapter"
        ) and not units:  # fmt: skip
            task = "\n".join(cells.get("task", []))
            return [(_fold(number).rstrip("、.") + "、" + task if task else number, None)]
        outline = self._outline(row, columns)
        if outline is not None:
            lines, last = outline
            units_only = {k: v for k, v in cells.items() if k not in ("number", "task", "group")}
            return [*lines, self._numbered_row(last, units_only, distinct)]
        m = _ROW_NUMBER_RE.match(_fold(number).replace(" ", ""))
        task = "\n".join([*cells.get("task", []), *cells.get("group", [])])
        if not task:  # a table of targets: "序号｜2022年预期目标｜责任单位"
            task = "\n".join(cells.pop("target", []))
        if not task and not units:
            return []
        printed = m.group(1).lstrip("0") or "0" if m else number[:16]
        return [(" | ".join(distinct), _row_of(printed, task, cells))]

    def _outline(
        self, row: tuple[str, ...], columns: tuple[str | None, ...]
    ) -> tuple[list[tuple[str, _Row | None]], _Line] | None:
        """A row whose number and task cells carry numbered text ("(一)…" | "1.…" | "(1)…",
        the upper levels merged down): the levels that changed since the last row become
        heading lines and the innermost one the row's item. None for a plainly numbered row."""
        numbered: list[tuple[int, str, _Line]] = []
        for index, (cell, column) in enumerate(zip(row, columns, strict=False)):
            if column in ("number", "task", "group") and cell:
                line = _classify(cell.split("\n", 1)[0])
                if line.kind == "num" and line.rest.strip():
                    numbered.append((index, cell, line))
        if not numbered:
            return None
        previous, self.previous = self.previous, row
        lines: list[tuple[str, _Row | None]] = []
        for index, cell, _ in numbered[:-1]:
            if index >= len(previous) or previous[index] != cell:
                lines.extend((part, None) for part in cell.split("\n"))
        return lines, numbered[-1][2]

    def _numbered_row(
        self, line: _Line, cells: dict[str, list[str]], distinct: list[str]
    ) -> tuple[str, _Row | None]:
        _, _, more = line.raw.partition("\n")
        return (
            " | ".join(distinct),
            _row_of(
                line.number,
                _join_fragments([line.rest, *more.split("\n")]),
                cells,
                style=line.style,
                value=line.value,
            ),
        )


def _row_of(
    number: str, task: str, cells: dict[str, list[str]], *, style: str = "row", value: int = 0
) -> _Row:
    """A data row's item from its cells sorted by column (see ``_COLUMN_RULES``)."""
    return _Row(
        number=number,
        task=task,
        leads=tuple(cells.get("lead", [])),
        responsible=tuple(cells.get("responsible", [])),
        participants=tuple(cells.get("participant", [])),
        deadline=" ".join(cells.get("deadline", [])),
        target="\n".join(cells.get("target", [])),
        style=style,
        value=value,
    )


def _group_columns(
    columns: tuple[str | None, ...], rows: list[tuple[str, ...]]
) -> tuple[str | None, ...]:
    """A task column merged down over the rows of a more specific one ("工作任务" over
    "细化分工") groups them: it becomes "group", read after the row's own task text."""
    tasks = [i for i, column in enumerate(columns) if column == "task"]
    if len(tasks) < 2 or len(rows) < 2:
        return columns
    marked = list(columns)
    for i in tasks:
        pairs = [(a[i], b[i]) for a, b in itertools.pairwise(rows) if i < len(a) and i < len(b)]
        repeats = sum(1 for a, b in pairs if a and a == b)
        if pairs and repeats * 2 >= len(pairs) and any(c == "task" for c in marked if c):
            others = [j for j in tasks if j != i and marked[j] == "task"]
            if others:
                marked[i] = "group"
    return tuple(marked)


def _text_tables(lines: list[str]) -> list[list[str] | list[tuple[str, ...]]]:
    """Split raw text lines into runs of plain lines and tables flattened into text
    ("序号  重点任务  牵头单位  责任单位" with cells apart by tabs, bars or wide spaces)."""
    runs: list[list[str] | list[tuple[str, ...]]] = []
    plain: list[str] = []
    index = 0
    while index < len(lines):
        cells = _split_cells(lines[index])
        if cells is None:
            plain.append(lines[index])
            index += 1
            continue
        header, width = cells, len(cells)
        table: list[tuple[str, ...]] = [header]
        index += 1
        while index < len(lines):
            raw = lines[index]
            parts = tuple(p for p in _TABLE_SPLIT_RE.split(raw.strip()) if p)
            if not raw.strip():
                index += 1
                continue
            if len(parts) >= 2:
                table.append(parts + ("",) * (width - len(parts)))
            elif _classify(_SPACES.sub(" ", raw).strip()).kind in ("part",):
                break
            elif table[1:] and _classify(_SPACES.sub(" ", raw).strip()).kind != "num":
                last = list(table[-1])
                task_at = next((i for i, c in enumerate(_header_columns(header) or ())
                                if c == "task"), len(last) - 1)  # fmt: skip
                if task_at < len(last):
                    last[task_at] = f"{last[task_at]}{raw.strip()}"
                table[-1] = tuple(last)
            else:
                table.append((raw.strip(),) * width)  # a heading inside the table
            index += 1
        if plain:
            runs.append(plain)
            plain = []
        runs.append(table)
    if plain:
        runs.append(plain)
    return runs


def _split_cells(raw: str) -> tuple[str, ...] | None:
    """The header cells if ``raw`` is the header line of a table flattened into text."""
    stripped = raw.strip()
    if not stripped or len(stripped) > 200:
        return None
    for parts in (_TABLE_SPLIT_RE.split(stripped), stripped.split(" ")):
        cells = tuple(p for p in parts if p)
        if len(cells) >= 3 and _header_columns(cells) and all(_column_of(c) for c in cells):
            return cells
    return None


# --------------------------------------------------------------------------- entry point

_BODY_YEAR_RE = re.compile(r"((?:19|20|21)\d{2})\s*年")


def _plan_year(
    header: _Header,
    part_headings: list[str],
    body: list[str],
    issued_on: date | None,
    warnings: list[ParseWarning],
) -> int | None:
    texts = [header.title or "", *part_headings]
    for pattern in (_YEAR_BEFORE_PART_RE, _YEAR_RE):
        for text in texts:
            m = pattern.search(_fold(text))
            year = _to_int(m.group(1)) if m else None
            if year is not None:
                return year
    for line in header.title_like:
        m = _YEAR_RE.search(_fold(line))
        year = _to_int(m.group(1)) if m else None
        if year is not None:
            return year
    if header.doc_year is not None:
        warnings.append(ParseWarning.of("year_from_doc_number", year=header.doc_year))
        return header.doc_year
    if issued_on is not None:
        warnings.append(ParseWarning.of("year_from_issue_date", year=issued_on.year))
        return issued_on.year
    for line in body:
        m = _BODY_YEAR_RE.search(_fold(line))
        if m:
            warnings.append(ParseWarning.of("year_from_text", year=int(m.group(1))))
            return int(m.group(1))
    return None


def _plan_title(header: _Header, part_headings: list[str], warnings: list[ParseWarning]) -> str:
    if header.title:
        return header.title
    title = part_headings[0] if part_headings else header.first_line or ""
    warnings.append(ParseWarning.of("no_title_line" if header.doc_number else "no_header"))
    return title


def parse_notice(text: str, *, year: int | None = None) -> ParsedPlan:
    """Parse a notice's plain text; raise NoticeParseError if it has no plan in it."""
    if not isinstance(text, str):
        raise NoticeParseError([f"expected text, got {type(text).__name__}"])
    return parse_document(Document((text,)), year=year)


# "一、明确目标任务，促进学前教育快速发展1、学前三年教育发展目标。": a heading and its first
# item printed on one line.
_HEADING_THEN_ITEM_RE = re.compile(r"^(.{2,40}?[\u4e00-\u9fff])(1[、.](?!\d)\S.*)$")


def _split_heading(line: str) -> list[str]:
    classified = _classify(line)
    if classified.kind != "num" or classified.style not in ("cn", "cn_paren", "chapter"):
        return [line]
    m = _HEADING_THEN_ITEM_RE.match(_fold(classified.rest))
    if m is None or _SENTENCE_PUNCT.search(m.group(1).replace(",", "")):
        return [line]
    cut = len(line) - len(classified.rest) + m.start(2)
    return [line[:cut], line[cut:]]


def _body_lines(
    document: Document, warnings: list[ParseWarning]
) -> tuple[list[str], dict[int, _Row]]:
    """Every block as lines (spaces collapsed); table rows that are items, by line index."""
    lines: list[str] = []
    rows: dict[int, _Row] = {}
    tables = _TableReader()
    nul = control = 0
    for block in document.blocks:
        if isinstance(block, Table):
            table_rows = [tuple(str(cell) for cell in row) for row in block.rows]
            for line, row in tables.read(table_rows):
                if row is not None:
                    rows[len(lines)] = row
                    lines.extend([line, ""])  # a row ends its item's text
                else:
                    lines.extend(line.split("\n"))
            continue
        nul += block.count("\x00")
        text = _LINE_BREAKS.sub("\n", block.replace("\x00", ""))
        text = _INVISIBLE.sub("", text).translate(_ALNUM_TO_ASCII)
        text, removed = _CONTROL.subn("", text)
        control += removed
        for run in _text_tables(text.split("\n")):
            if run and isinstance(run[0], tuple):
                for line, row in tables.read(run):
                    if row is not None:
                        rows[len(lines)] = row
                        lines.extend([line, ""])
                    else:
                        lines.extend(line.split("\n"))
            else:
                tables.columns = None
                for text_line in run:
                    lines.extend(_split_heading(_SPACES.sub(" ", str(text_line)).strip()))
    if nul:
        warnings.append(ParseWarning.of("nul_removed", count=nul))
    if control:
        warnings.append(ParseWarning.of("control_removed", count=control))
    return lines, rows


def parse_document(document: Document, *, year: int | None = None) -> ParsedPlan:
    """Parse a notice read into blocks (text and tables); NoticeParseError if no plan is in it.

    ``year`` is the plan's year when the caller knows it; otherwise it is read from the
    title, the 文号, the issue date or the text, and its absence is an error.
    """
    if not isinstance(document, Document):
        raise NoticeParseError([f"expected a Document, got {type(document).__name__}"])
    size = sum(
        len(b) if isinstance(b, str) else sum(len(str(c)) for r in b.rows for c in r)
        for b in document.blocks
    )
    if size > MAX_INPUT_CHARS:
        raise NoticeParseError([f"text is longer than {MAX_INPUT_CHARS:,} characters"])
    warnings: list[ParseWarning] = []
    lines, rows = _body_lines(document, warnings)
    body_start = _find_body_start(lines, rows)
    footer_start, footer_date, signature = _find_footer_start(lines, body_start, rows)
    header = _parse_header(lines[:body_start])
    skipped = [line for line in lines[footer_start:] if line]
    if skipped:
        warnings.append(ParseWarning.of("footer_skipped", count=len(skipped)))

    title_hint = _fold(header.title or "")
    default_part = "work_point"
    if _KEY_PART_WORDS.search(title_hint) and "工作要点" not in title_hint:
        default_part = "key_task"
    builder = _Builder(default_part, warnings)
    for index in range(body_start, footer_start):
        raw = lines[index]
        if index in rows:
            row = rows[index]
            value = row.value or (int(row.number) if row.number.isdigit() else 0)
            builder.feed(_Line("row", row.number, row.task, raw, row.style, value, row=row))
        else:
            builder.feed(_classify(raw) if raw else _Line("skip", "", "", raw))
    nodes = builder.finish()

    problems: list[str] = []
    if not nodes:
        problems.append("no numbered items found")
    if len(nodes) > MAX_ITEMS:
        problems.append(f"more than {MAX_ITEMS:,} items, sections and sub-sections")
    issued_on = header.issued_on or footer_date
    if year is None:
        body = [line for line in lines[:footer_start] if line]
        year = _plan_year(header, builder.part_headings, body, issued_on, warnings)
    if year is None:
        problems.append("no plan year found (pass `year` to give it)")
    if problems or year is None:
        raise NoticeParseError(problems)

    title = _plan_title(header, builder.part_headings, warnings)
    if header.title and not header.doc_number:
        warnings.append(ParseWarning.of("no_doc_number"))
    if issued_on is None:
        warnings.append(ParseWarning.of("no_issue_date"))

    first_leads = _FIRST_LEADS_RE.search(_fold("".join(lines)).replace(" ", "")) is not None
    if first_leads:
        warnings.append(ParseWarning.of("first_unit_leads"))
    codes = _node_codes(nodes)
    code_of = {id(node): code for node, code in zip(nodes, codes, strict=True)}
    built = [
        replace(
            _build_task(node, code, year, warnings, first_leads=first_leads),
            parent_code=code_of[id(node.parent)] if node.parent is not None else None,
        )
        for node, code in zip(nodes, codes, strict=True)
    ]
    tasks = link_related(built)
    for task in tasks:
        if (
            task.kind == "key_task"
            and not task.related
            and any(t.kind == "work_point" for t in tasks)
        ):
            warnings.append(
                ParseWarning.of("no_matching_work_point", task=task.code, title=task.title)
            )
    return ParsedPlan(
        title=title,
        year=year,
        doc_number=header.doc_number,
        issuer=header.issuer or signature,
        issued_on=issued_on,
        addressees=header.addressees,
        tasks=tasks,
        warnings=_capped(warnings),
        issuer_short=header.issuer_short,
        preamble=_tidy("\n".join(_join_paragraphs(builder.preamble))),
    )


def _capped(warnings: list[ParseWarning]) -> tuple[ParseWarning, ...]:
    """Distinct warnings in order, at most _MAX_WARNINGS of them."""
    distinct = list(dict.fromkeys(warnings))
    if len(distinct) <= _MAX_WARNINGS:
        return tuple(distinct)
    rest = len(distinct) - _MAX_WARNINGS
    return (*distinct[:_MAX_WARNINGS], ParseWarning.of("more_warnings", count=rest))


def _join_paragraphs(fragments: list[str]) -> list[str]:
    """A preamble fragment continues the previous one unless that one ended a sentence."""
    paragraphs: list[str] = []
    for fragment in fragments:
        if paragraphs and paragraphs[-1] and paragraphs[-1][-1] not in _TERMINAL + "）)”":
            paragraphs[-1] += " " + fragment
        else:
            paragraphs.append(fragment)
    return paragraphs
