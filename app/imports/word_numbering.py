"""Word's automatic list numbering, printed back: a numbered paragraph's "1." or "一、" is not
part of its text, yet a notice's structure is read from those labels.

Pure: python-docx's XML only, no database, no web framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

__all__ = ["WordNumbering"]

_MAX_LIST_LEVELS = 9
_CN_DIGITS = "〇一二三四五六七八九"


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""


@dataclass
class WordNumbering:
    """Word list definitions plus running counters, enough to print "1." and "一、"."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId -> ilvl -> level
    style_num: dict[str, tuple[str, int]] = field(default_factory=dict)  # styleId -> (numId, ilvl)
    counters: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: DocxDocument) -> WordNumbering:
        numbering = cls()
        try:
            root = document.part.numbering_part.element
        except (AttributeError, KeyError, NotImplementedError):
            root = None  # a document without any list
        if root is not None:
            numbering._read_definitions(root)
        for style in document.styles.element.iterfind(qn("w:style")):
            num = _num_pr(style.find(qn("w:pPr")))
            if num is not None:
                numbering.style_num[style.get(qn("w:styleId")) or ""] = num
        return numbering

    def _read_definitions(self, root: BaseOxmlElement) -> None:
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.iterfind(qn("w:abstractNum")):
            levels: dict[int, _Level] = {}
            for lvl in node.iterfind(qn("w:lvl")):
                ilvl = _int(lvl.get(qn("w:ilvl")), 0)
                levels[ilvl] = _Level(
                    start=_int(_val(lvl, "w:start"), 1),
                    fmt=_val(lvl, "w:numFmt") or "decimal",
                    text=_val(lvl, "w:lvlText") or "",
                )
            abstract[node.get(qn("w:abstractNumId")) or ""] = levels
        for num in root.iterfind(qn("w:num")):
            base = abstract.get(_val(num, "w:abstractNumId") or "", {})
            levels = {k: _Level(v.start, v.fmt, v.text) for k, v in base.items()}
            for override in num.iterfind(qn("w:lvlOverride")):
                ilvl = _int(override.get(qn("w:ilvl")), 0)
                start = _val(override, "w:startOverride")
                if start is not None and ilvl in levels:
                    levels[ilvl].start = _int(start, 1)
            self.levels[num.get(qn("w:numId")) or ""] = levels

    def label(self, paragraph: Paragraph) -> str:
        num = _num_pr(paragraph._p.pPr)
        if num is None:
            num = self.style_num.get(paragraph._p.style or "")
        if num is None or num[0] not in self.levels:
            return ""
        num_id, ilvl = num
        levels = self.levels[num_id]
        if ilvl not in levels or not 0 <= ilvl < _MAX_LIST_LEVELS:
            return ""
        counters = self.counters.setdefault(num_id, [0] * _MAX_LIST_LEVELS)
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else levels[ilvl].start
        for deeper in range(ilvl + 1, _MAX_LIST_LEVELS):
            counters[deeper] = 0
        text = levels[ilvl].text
        for level in range(ilvl, -1, -1):  # %10 does not exist, so %1 is safe to replace last
            value = counters[level] or (levels[level].start if level in levels else 1)
            fmt = levels[level].fmt if level in levels else "decimal"
            text = text.replace(f"%{level + 1}", _format(value, fmt))
        return text


def _num_pr(ppr: BaseOxmlElement | None) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph's or style's numbering; None when it has none."""
    if ppr is None:
        return None
    num_pr = ppr.find(qn("w:numPr"))
    if num_pr is None:
        return None
    num_id = _val(num_pr, "w:numId")
    if not num_id or num_id == "0":  # numId 0 switches numbering off
        return None
    return num_id, _int(_val(num_pr, "w:ilvl"), 0)


def _val(node: BaseOxmlElement, tag: str) -> str | None:
    child = node.find(qn(tag))
    return None if child is None else child.get(qn("w:val"))


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _format(value: int, fmt: str) -> str:
    if fmt in ("bullet", "none"):
        return ""
    if fmt.startswith(("chinese", "ideograph", "taiwanese", "japanese")):
        return _chinese(value)
    if fmt in ("lowerLetter", "upperLetter") and 1 <= value <= 26:
        letter = chr(ord("a") + value - 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalEnclosedCircle" and 1 <= value <= 20:
        return chr(0x2460 + value - 1)
    return str(value)


def _chinese(value: int) -> str:
    """1..99 as 一..九十九, the way 公文 number their sections."""
    if not 0 < value < 100:
        return str(value)
    tens, ones = divmod(value, 10)
    text = ("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else ""
    return text + (_CN_DIGITS[ones] if ones else "")
