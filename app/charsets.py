"""Chinese text files as offices save them: UTF-8 or GB18030 (GBK), never a mix of the two.

One home for the rule, used by notice imports and bulk uploads alike. Pure: no app imports.
"""

from __future__ import annotations

import re

__all__ = ["GB_NAMES", "UTF8_NAMES", "CharsetError", "decode_chinese_text"]

UTF8_NAMES = frozenset({"utf-8", "utf8", "utf-8-sig"})
GB_NAMES = frozenset({"gb18030", "gbk", "gb2312", "cp936"})

_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Outside ASCII, CJK ideographs, CJK / general / full-width punctuation and list numbers.
_UNCOMMON_NON_ASCII = re.compile(
    r"[^\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
    r"\u2000-\u206f\u2160-\u217f\u2460-\u24ff\u00b7\ufeff]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class CharsetError(ValueError):
    """The bytes are not text in a character set we read; ``unsupported`` when the set is
    named or recognised (UTF-16, Big5…) but not one of ours, else the bytes are damaged."""

    def __init__(self, message: str, *, unsupported: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unsupported = unsupported


def decode_chinese_text(data: bytes, charset: str | None = None) -> str:
    """UTF-8 or GB18030 text with "\\n" line ends; refuses binary files and mixed encodings.

    With ``charset`` the bytes must be valid in it. Without, UTF-8 (a BOM is fine) is tried
    first, then GB18030 — unless some lines are UTF-8 Chinese and others are not: reading
    such a file as GB18030 would store its UTF-8 lines garbled ("涓枃" for "中文").
    """
    if charset:
        name = charset.strip().strip('"').lower().replace("_", "-")
        if name in UTF8_NAMES:
            codec = "utf-8-sig"
        elif name in GB_NAMES:
            codec = "gb18030"  # a superset of GBK and GB2312: their files decode the same
        else:
            raise CharsetError(
                f"The character set {charset[:40]!r} is not supported; save the file as "
                "UTF-8 or GB18030.",
                unsupported=True,
            )
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise CharsetError(
                f"The file is not valid {name.upper()} text (byte {exc.start:,}); save it as "
                "UTF-8, or say which it is (`charset=gb18030`)."
            ) from exc
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CharsetError(
            "UTF-16 text is not supported; save the file as UTF-8 and upload it again.",
            unsupported=True,
        )
    else:
        try:
            text = data.decode("utf-8-sig")
            if _UNCOMMON_NON_ASCII.search(text) and not _IDEOGRAPH.search(text):
                text = _better_as_gb18030(data) or text
        except UnicodeDecodeError as exc:
            utf8_line = _utf8_chinese_line(data)
            if utf8_line:
                other = data.count(b"\n", 0, exc.start) + 1
                raise CharsetError(
                    f"The file mixes UTF-8 (line {utf8_line}) and GB18030 (GBK) text (line "
                    f"{other}); save it again in one encoding, preferably UTF-8."
                ) from None
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise CharsetError(
                    f"The file is neither UTF-8 nor GB18030 text (byte {exc.start:,})."
                ) from exc
    text = text.removeprefix("\ufeff")
    if _looks_binary(text):
        raise CharsetError("The file does not look like a text file.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _better_as_gb18030(data: bytes) -> str | None:
    """``data`` as GB18030 when that reads as Chinese: short GBK text can be valid UTF-8 by
    accident ("通知" is, as "֪ͨ"), and the files we read are Chinese."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if _IDEOGRAPH.search(text) and not _UNCOMMON_NON_ASCII.search(text):
        return text
    return None


def _utf8_chinese_line(data: bytes) -> int:
    """The number of the first line that is UTF-8 Chinese, else 0; GBK bytes are rarely
    valid UTF-8 by accident.

    A line of GBK text passes as UTF-8 only when its byte pairs happen to chain into
    UTF-8 sequences; asking for two ideographs and nothing but common Chinese text
    characters makes that vanishingly rare.
    """
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(_IDEOGRAPH.findall(text)) >= 2 and not _UNCOMMON_NON_ASCII.search(text):
            return number
    return 0


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:65_536]
    return len(_CONTROL.findall(sample)) > max(8, len(sample) // 100)
