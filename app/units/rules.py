"""Unit rules that more than one domain applies: the readable code a unit gets from its name."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

__all__ = ["readable_code"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")
MAX_CODE = 48  # leaves room for a "-2" when two names read alike


def readable_code(name: str) -> str:
    """A code an office can read and type, from a name: the pinyin initials of its Chinese
    characters, its letters and digits; runs apart joined by "-".

    "省科技馆" → "SKJG", "县发改局(粮食局)" → "XFGJ-LSJ", "豫科协办发〔2024〕9号" → "YKXBF-2024-9H".
    Deterministic: the same name always reads the same (polyphones by pypinyin's phrases).
    """
    parts = []
    for token in _TOKEN.findall(unicodedata.normalize("NFKC", name)):
        if _HAN.fullmatch(token):
            token = "".join(lazy_pinyin(token, style=Style.FIRST_LETTER, errors="ignore"))
        parts.append(token.upper())
    return "-".join(part for part in parts if part)[:MAX_CODE].strip("-") or "UNIT"
