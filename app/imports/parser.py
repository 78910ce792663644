"""Turn the text of a Chinese work-plan notice (工作要点 / 重点工作) into structured tasks.

Pure: standard library only, no database, no web framework, no I/O.

Pipeline (each step is a small function below):

1. normalise  -- strip NUL / control / zero-width characters and the BOM, unify line endings
   and space characters, refuse absurdly large input.
2. split      -- cut the lines into header (issuer, 文号, title, addressees), body and a
   trailing footer (落款, 印发日期, 抄送, page numbers are dropped everywhere).
3. classify   -- every body line is a part heading ("…重点工作" / "…工作要点"), a section
   ("一、"), a sub-section ("（一）"), a numbered item ("1." / "1、") or running text.
   Numbering must run in sequence, so a page-broken fragment that happens to start with
   "3." is not mistaken for item 3.
4. build      -- running text continues the open node; fragments are re-joined without a
   space between CJK characters (page-break repair), so descriptions read as printed.
5. extract    -- per node: the responsibility clause (units and roles; the clause is cut out
   of the description and kept in ``responsibility_text``), quantitative indicators and
   dated milestones.
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
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = [
    "MAX_INPUT_CHARS",
    "MAX_ITEMS",
    "NoticeParseError",
    "ParsedIndicator",
    "ParsedMilestone",
    "ParsedPlan",
    "ParsedTask",
    "ParsedUnit",
    "link_related",
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
    warnings: tuple[str, ...]
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


# --------------------------------------------------------------------------- 1. normalise


def _normalise(text: str, warnings: list[str]) -> list[str]:
    """Clean the raw text and return its lines (spaces collapsed, not yet tidied)."""
    if "\x00" in text:
        warnings.append(f"removed {text.count(chr(0))} NUL character(s)")
        text = text.replace("\x00", "")
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text).translate(_ALNUM_TO_ASCII)
    text, removed = _CONTROL.subn("", text)
    if removed:
        warnings.append(f"removed {removed} control character(s)")
    return [_SPACES.sub(" ", line).strip() for line in text.split("\n")]


# --------------------------------------------------------------------------- 2./3. classify

_SECTION_RE = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.]\s*(.*)$")
_SUBSECTION_RE = re.compile(r"^\(\s*([一二三四五六七八九十]{1,3})\s*\)\s*(.*)$")
_ITEM_RE = re.compile(r"^(\d{1,3})\s*(?:、|\.(?!\d))\s*(.*)$")
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
    kind: str  # part | section | subsection | item | text | skip
    number: str
    rest: str  # the line after its number, original characters
    raw: str


def _is_part_heading(folded: str) -> bool:
    return (
        len(folded) <= 40
        and _PART_WORDS.search(folded) is not None
        and _SENTENCE_PUNCT.search(folded) is None
        and "关于" not in folded
        and "通知" not in folded
        and "印发" not in folded
    )


def _classify(raw: str) -> _Line:
    folded = _fold(raw)
    if _PAGE_NUMBER_RE.match(folded) or _RULE_LINE_RE.match(folded):
        return _Line("skip", "", "", raw)
    for kind, pattern in (("section", _SECTION_RE), ("subsection", _SUBSECTION_RE)):
        m = pattern.match(folded)
        if m:
            return _Line(kind, m.group(1), raw[m.start(2) :], raw)
    m = _ITEM_RE.match(folded)
    if m:
        return _Line("item", str(int(m.group(1))), raw[m.start(2) :], raw)
    if _is_part_heading(folded):
        return _Line("part", "", raw, raw)
    if _ATTACHMENT_RE.match(folded) and len(folded) <= 8:
        return _Line("skip", "", "", raw)  # a lone "附件1" label above an attached list
    return _Line("text", "", raw, raw)


def _find_body_start(lines: list[str]) -> int:
    """Index of the first structural line; header lines come before it."""
    in_attachment_list = False
    for index, raw in enumerate(lines):
        if not raw:
            continue
        line = _classify(raw)
        folded = _fold(raw)
        if _ATTACHMENT_RE.match(folded):
            # "附件：1. …重点工作 / 2. …工作要点" lists the attachments; not items.
            in_attachment_list = True
            continue
        if in_attachment_list and line.kind == "item" and _is_part_heading(_fold(line.rest)):
            continue
        in_attachment_list = False
        if line.kind in ("part", "section", "item"):
            return index
    return len(lines)


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


def _find_footer_start(lines: list[str], body_start: int) -> tuple[int, date | None, str | None]:
    """Walk back over the trailing 落款 / 印发 block; return (start, date, signature)."""
    start = len(lines)
    issued_on: date | None = None
    signature: str | None = None
    index = len(lines) - 1
    while index > body_start:
        raw = lines[index]
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


def _parse_header(lines: list[str]) -> _Header:
    header = _Header()
    raws = [line for line in lines if line]
    title_index: int | None = None
    for index, raw in enumerate(raws):
        folded = _fold(raw)
        compact = folded.replace(" ", "")
        if header.first_line is None and _SENTENCE_PUNCT.search(folded) is None:
            header.first_line = _tidy(raw)
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


@dataclass
class _Node:
    kind: str
    number: str
    parent_number: str | None
    subsection: str | None
    fragments: list[str]
    section_index: int  # arabic value of the enclosing section, 0 when none


class _Builder:
    """A small state machine over classified body lines."""

    def __init__(self, default_part: str, warnings: list[str]) -> None:
        self.warnings = warnings
        self.nodes: list[_Node] = []
        self.preamble: list[str] = []
        self.part_headings: list[str] = []
        self.part = default_part
        self.section: _Node | None = None
        self.subsection: _Node | None = None
        self.current: _Node | None = None
        self.last_item = 0
        self.last_section = 0
        self.last_subsection = 0
        self.container_opened = True  # an item numbered 1 may start here

    def feed(self, line: _Line) -> None:
        if line.kind == "skip":
            return
        if line.kind == "part":
            self._open_part(line)
        elif line.kind == "section" and self._accept_section(line):
            self._open_section(line)
        elif line.kind == "subsection" and self._accept_subsection(line):
            self._open_subsection(line)
        elif line.kind == "item" and self._accept_item(line):
            self._open_item(line)
        else:
            self._continue(line.raw)

    def _open_part(self, line: _Line) -> None:
        self.part = "key_task" if _KEY_PART_WORDS.search(_fold(line.raw)) else "work_point"
        self.part_headings.append(_tidy(line.raw))
        self.section = self.subsection = self.current = None
        self.last_item = self.last_section = self.last_subsection = 0
        self.container_opened = True

    def _accept_section(self, line: _Line) -> bool:
        value = _cn_to_int(line.number) or 0
        if value == self.last_section + 1:
            return True
        if self.last_section < value <= self.last_section + 2:
            self.warnings.append(f"section numbering jumps from {self.last_section} to {value}")
            return True
        return False

    def _open_section(self, line: _Line) -> None:
        self.last_section = _cn_to_int(line.number) or 0
        self.last_subsection = 0
        node = _Node("section", line.number, None, None, [line.rest], self.last_section)
        self.nodes.append(node)
        self.section, self.subsection, self.current = node, None, node
        self.container_opened = True

    def _accept_subsection(self, line: _Line) -> bool:
        value = _cn_to_int(line.number) or 0
        return self.last_subsection < value <= self.last_subsection + 2

    def _open_subsection(self, line: _Line) -> None:
        self.last_subsection = _cn_to_int(line.number) or 0
        parent = self.section.number if self.section else None
        index = self.section.section_index if self.section else 0
        node = _Node("subtask", line.number, parent, None, [line.rest], index)
        self.nodes.append(node)
        self.subsection = self.current = node
        self.container_opened = True

    def _accept_item(self, line: _Line) -> bool:
        value = int(line.number)
        if value == self.last_item + 1 or (value == 1 and self.container_opened):
            return True
        if self.last_item < value <= self.last_item + 3:
            self.warnings.append(f"item numbering jumps from {self.last_item} to {value}")
            return True
        where = f" (kept as text of item {self.current.number})" if self.current else ""
        self.warnings.append(
            f"line {line.raw[:20]!r} looks like item {value} but is out of sequence{where}"
        )
        return False

    def _open_item(self, line: _Line) -> None:
        self.last_item = int(line.number)
        node = _Node(
            self.part,
            line.number,
            self.section.number if self.section else None,
            self.subsection.number if self.subsection else None,
            [line.rest],
            self.section.section_index if self.section else 0,
        )
        self.nodes.append(node)
        self.current = node
        self.container_opened = False

    def _continue(self, raw: str) -> None:
        if not raw:
            return
        if self.current is not None:
            self.current.fragments.append(raw)
        else:
            self.preamble.append(raw)


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

_LEAD_ROLE = "责任|牵头|主责|负责|承办"
_PARTICIPANT_ROLE = "配合|协办|参与|协同|协助"
_ROLE_LABEL_RE = re.compile(
    rf"({_LEAD_ROLE}|{_PARTICIPANT_ROLE})\s*(?:部门|单位|处室|科室)\s*[:：]"
)
_CLAUSE_OPEN_RE = re.compile(
    rf"\(\s*(?:{_LEAD_ROLE}|{_PARTICIPANT_ROLE})\s*(?:部门|单位|处室|科室)\s*:"
)
_BARE_CLAUSE_RE = re.compile(rf"(?:^|(?<=[。\n]))\s*(?:{_LEAD_ROLE})\s*(?:部门|单位)\s*:")
_GROUP_PREFIX_RE = re.compile(r"^(?:机关各|省直各|市直各|全省各|各|有关|相关|其他|其它)")
_UNIT_SEPARATOR_RE = re.compile(r"[,;。\s]+")
_ROLE_MARK_RE = re.compile(r"\((牵头|配合|参与|协办)\)$")
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


def _unit_kind(name: str) -> str:
    if _GROUP_PREFIX_RE.match(name):
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
    name = name.strip(" \"'“”‘’《》")
    if len(name) > 2 and name.endswith("等"):
        name = name[:-1]
    return name


def _split_unit_names(segment: str) -> list[tuple[str, str | None]]:
    """Names in a folded segment, with one "各" distributed over a 、-list; role marks kept."""
    names: list[tuple[str, str | None]] = []
    for run in _UNIT_SEPARATOR_RE.split(segment):
        distributing = False
        for element in run.split("、"):
            mark = _ROLE_MARK_RE.search(element)
            role = None
            if mark:
                role = "lead" if mark.group(1) == "牵头" else "participant"
                element = element[: mark.start()]
            name = _clean_unit_name(element)
            if not name:
                continue
            if _GROUP_PREFIX_RE.match(name):
                # "各高校科协、企业科协、医疗卫生机构科协": the 各 governs the whole 、-list.
                distributing = name.startswith("各")
            elif distributing:
                name = "各" + name
            names.append((name, role))
    return names


def _find_clauses(text: str, warnings: list[str], code: str) -> list[tuple[int, int]]:
    """Spans of responsibility clauses: "（责任部门：…）" anywhere, or a bare "牵头单位：…" line."""
    folded = _fold(text)
    spans: list[tuple[int, int]] = []
    for m in _CLAUSE_OPEN_RE.finditer(folded):
        if spans and m.start() < spans[-1][1]:
            continue
        depth, end = 0, len(folded)
        for index in range(m.start(), len(folded)):
            if folded[index] == "(":
                depth += 1
            elif folded[index] == ")":
                depth -= 1
                if depth == 0:
                    end = index + 1
                    break
        if end == len(folded) and not folded.endswith(")"):
            warnings.append(f"{code}: responsibility clause is not closed")
        spans.append((m.start(), end))
    if not spans:
        for m in _BARE_CLAUSE_RE.finditer(folded):
            line_end = folded.find("\n", m.end())
            spans.append((m.start(), len(folded) if line_end < 0 else line_end))
    return spans


def _parse_clause(clause: str, warnings: list[str], code: str) -> list[ParsedUnit]:
    folded = _fold(clause).strip()
    if folded.startswith("(") and folded.endswith(")"):
        folded = folded[1:-1]
    labels = list(_ROLE_LABEL_RE.finditer(folded))
    units: list[ParsedUnit] = []
    for position, label in enumerate(labels):
        end = labels[position + 1].start() if position + 1 < len(labels) else len(folded)
        segment_role = "participant" if re.match(_PARTICIPANT_ROLE, label.group(1)) else "lead"
        for name, marked_role in _split_unit_names(folded[label.end() : end]):
            if len(name) > 60:
                warnings.append(f"{code}: skipped an over-long unit name {name[:20]!r}…")
                continue
            kind = _unit_kind(name)
            role = marked_role or ("participant" if kind == "group" else segment_role)
            units.append(ParsedUnit(name=name, kind=kind, role=role))
    return units


def _dedupe_units(
    units: list[ParsedUnit], warnings: list[str], code: str
) -> tuple[ParsedUnit, ...]:
    """Keep one entry per name; a unit that leads anywhere in the task is a lead."""
    chosen: dict[str, ParsedUnit] = {}
    for unit in units:
        seen = chosen.get(unit.name)
        if seen is None and len(chosen) == _MAX_PER_TASK:
            warnings.append(f"{code}: more than {_MAX_PER_TASK} units; kept the first ones")
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
        *"个家场期名项次人篇部件所批支座套本册份门台条种类户村站队团班处间位元吨亩%",
    ],
    key=len,
    reverse=True,
)
_MEASURE = "|".join(re.escape(m) for m in _MEASURES)
_NUMBER = rf"\d{{1,12}}(?:\.\d{{1,6}})?|[{_CN_NUMERAL}]{{1,6}}"
_NOT_BEFORE_NUMBER = rf"(?<![\d.A-Za-z第{_CN_NUMERAL}])"
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
        ("小于", "lte"),
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
    r"(及以上|或以上|以上)|(及以下|以内|以下|之内)"
)  # used with match(pos)
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
    clause: str, folded: str, offset: int, warnings: list[str], code: str
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
            warnings.append(f"{code}: skipped range {m.group(0)!r} (lower bound above upper)")
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
        if not m.group(1).isascii() and not before.rstrip().endswith(_EXPLICIT_BOUNDS):
            continue  # "五大行动", "突破一批": Chinese numerals count only after 不少于/至少/…
        comparator, _ = _comparator_before(before)
        after = _COMPARATOR_AFTER_RE.match(folded, m.end())
        if after:
            comparator = comparator or ("gte" if after.group(1) else "lte")
        comparator = comparator or "gte"  # "实施好50个…": a count to deliver is a floor
        found.append(_make_target(clause, folded, m, comparator, (value, None), offset, source))
    found.extend(_zero_targets(folded, offset, source))
    return found


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


def _extract_indicators(code: str, text: _Text, warnings: list[str]) -> tuple[ParsedIndicator, ...]:
    targets: list[_Target] = []
    folded = text.folded
    for start, end in text.clauses:
        if len(targets) >= _MAX_CANDIDATES:
            warnings.append(f"{code}: too many numbers; only the first ones were read")
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
            warnings.append(f"{code}: more than {_MAX_PER_TASK} indicators; kept the first ones")
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
    code: str, text: _Text, year: int, warnings: list[str]
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
                    warnings.append(f"{code}: too many time phrases; only the first were read")
                    return tuple(milestones)
                due = _milestone_date(kind, m, year)
                if due is None:
                    warnings.append(f"{code}: ignored impossible date {m.group(0)!r}")
                    continue
                # The title is the clause without its time phrase: "9月底前完成验收" -> "完成验收".
                rest = clause[max(0, m.start() - _WINDOW) : m.start()]
                rest += clause[m.end() : m.end() + _WINDOW]
                title = _MILESTONE_LEADING_RE.sub("", _tidy(rest)).strip() or source
                milestones[ParsedMilestone(title=title[:60], due_on=due, source_text=source)] = None
                if len(milestones) == _MAX_PER_TASK:
                    warnings.append(f"{code}: more than {_MAX_PER_TASK} milestones; kept the first")
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
    return title.strip()


def _base_code(node: _Node) -> str:
    if node.kind == "section":
        return f"S{node.section_index}"
    if node.kind == "subtask":
        value = _cn_to_int(node.number) or 0
        return f"S{node.section_index}.{value}" if node.section_index else f"SUB{value}"
    return ("KT" if node.kind == "key_task" else "WP") + node.number


def _node_codes(nodes: list[_Node]) -> list[str]:
    """Codes unique within the plan; numbering restarted per section gets "WP2.1"."""
    codes = [_base_code(node) for node in nodes]
    for prefix in ("KT", "WP"):
        items = [i for i, n in enumerate(nodes) if _base_code(n).startswith(prefix)]
        if len({codes[i] for i in items}) < len(items):
            for i in items:
                codes[i] = f"{prefix}{nodes[i].section_index}.{nodes[i].number}"
    seen: dict[str, int] = {}
    for i, code in enumerate(codes):
        seen[code] = seen.get(code, 0) + 1
        if seen[code] > 1:
            codes[i] = f"{code}_{seen[code]}"
    return codes


def _build_task(node: _Node, code: str, year: int, warnings: list[str]) -> ParsedTask:
    joined = _join_fragments(node.fragments)
    spans = _find_clauses(joined, warnings, code)
    units: list[ParsedUnit] = []
    clause_texts: list[str] = []
    for start, end in spans:
        clause_texts.append(_tidy(joined[start:end]))
        units.extend(_parse_clause(joined[start:end], warnings, code))
    kept, last = [], 0
    for start, end in spans:
        kept.append(joined[last:start])
        last = end
    description = _tidy("".join([*kept, joined[last:]]))
    if node.kind in ("key_task", "work_point"):
        if not spans:
            warnings.append(f"{code}: no responsibility clause (责任部门) found")
        elif not any(u.role == "lead" for u in units):
            warnings.append(f"{code}: no named lead unit, only collective groups")
        if not description:
            warnings.append(f"{code}: item has no text")
    text = _Text.of(description)
    indicators = _extract_indicators(code, text, warnings)
    milestones = _extract_milestones(code, text, year, warnings)
    if node.kind == "section":
        title = _tidy(node.fragments[0]).replace("\n", "")  # the heading line itself
    else:
        title = _first_sentence(description)
    return ParsedTask(
        kind=node.kind,
        number=node.number,
        title=title,
        description=description,
        parent_number=node.parent_number,
        units=_dedupe_units(units, warnings, code),
        indicators=indicators,
        milestones=milestones,
        due_on=max((m.due_on for m in milestones), default=date(year, 12, 31)),
        related=(),
        code=code,
        subsection=node.subsection,
        responsibility_text="\n".join(clause_texts),
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


# --------------------------------------------------------------------------- entry point


def _plan_year(header: _Header, part_headings: list[str], warnings: list[str]) -> int | None:
    texts = [header.title or "", *part_headings]
    for pattern in (_YEAR_BEFORE_PART_RE, _YEAR_RE):
        for text in texts:
            m = pattern.search(_fold(text))
            year = _to_int(m.group(1)) if m else None
            if year is not None:
                return year
    if header.doc_year is not None:
        warnings.append(f"plan year taken from the document number ({header.doc_year})")
        return header.doc_year
    return None


def _plan_title(header: _Header, part_headings: list[str], warnings: list[str]) -> str:
    if header.title:
        return header.title
    title = part_headings[0] if part_headings else header.first_line or ""
    warnings.append(
        "no notice header (issuer, 文号, title) found; title taken from the first heading"
        if not header.doc_number
        else "no title line (关于…的通知) found; title taken from the first heading"
    )
    return title


def parse_notice(text: str) -> ParsedPlan:
    """Parse a notice's plain text; raise NoticeParseError if it has no plan in it."""
    if not isinstance(text, str):
        raise NoticeParseError([f"expected text, got {type(text).__name__}"])
    if len(text) > MAX_INPUT_CHARS:
        raise NoticeParseError([f"text is longer than {MAX_INPUT_CHARS:,} characters"])
    warnings: list[str] = []
    lines = _normalise(text, warnings)
    body_start = _find_body_start(lines)
    footer_start, footer_date, signature = _find_footer_start(lines, body_start)
    header = _parse_header(lines[:body_start])
    skipped = [line for line in lines[footer_start:] if line]
    if skipped:
        warnings.append(f"skipped {len(skipped)} footer line(s) after the last item")

    title_hint = _fold(header.title or "")
    default_part = "work_point"
    if _KEY_PART_WORDS.search(title_hint) and "工作要点" not in title_hint:
        default_part = "key_task"
    builder = _Builder(default_part, warnings)
    for raw in lines[body_start:footer_start]:
        builder.feed(_classify(raw) if raw else _Line("skip", "", "", raw))

    problems: list[str] = []
    if not any(n.kind in ("key_task", "work_point", "subtask") for n in builder.nodes):
        problems.append("no numbered items found")
    if len(builder.nodes) > MAX_ITEMS:
        problems.append(f"more than {MAX_ITEMS:,} items, sections and sub-sections")
    year = _plan_year(header, builder.part_headings, warnings)
    if year is None:
        problems.append("no plan year found")
    if problems or year is None:
        raise NoticeParseError(problems)

    title = _plan_title(header, builder.part_headings, warnings)
    if header.title and not header.doc_number:
        warnings.append("no document number (文号) found")
    issued_on = header.issued_on or footer_date
    if issued_on is None:
        warnings.append("no issue date found")

    codes = _node_codes(builder.nodes)
    tasks = link_related(
        _build_task(node, code, year, warnings)
        for node, code in zip(builder.nodes, codes, strict=True)
    )
    for task in tasks:
        if (
            task.kind == "key_task"
            and not task.related
            and any(t.kind == "work_point" for t in tasks)
        ):
            warnings.append(f"{task.code}: no matching work point found ({task.title})")
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


def _capped(warnings: list[str]) -> tuple[str, ...]:
    """Distinct warnings in order, at most _MAX_WARNINGS of them."""
    distinct = list(dict.fromkeys(warnings))
    if len(distinct) <= _MAX_WARNINGS:
        return tuple(distinct)
    rest = len(distinct) - _MAX_WARNINGS
    return (*distinct[:_MAX_WARNINGS], f"… and {rest} more warning(s)")


def _join_paragraphs(fragments: list[str]) -> list[str]:
    """A preamble fragment continues the previous one unless that one ended a sentence."""
    paragraphs: list[str] = []
    for fragment in fragments:
        if paragraphs and paragraphs[-1] and paragraphs[-1][-1] not in _TERMINAL + "）)”":
            paragraphs[-1] += " " + fragment
        else:
            paragraphs.append(fragment)
    return paragraphs
