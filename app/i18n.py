"""Text for people: Chinese by default, English when asked (``Accept-Language: en``).

Machines read the stable English codes (``at_risk``, ``overdue``); people read sentences. Each
domain keeps its sentences in a catalog next to the code that says them: a key and its Chinese
and English templates. The language of the request in hand is a context variable, set once per
request by ``LanguageMiddleware`` (and for a CLI command by ``LUOSHI_LANGUAGE``: the
system's ``LANG`` is not read, so an English-locale server still prints Chinese).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Language = Literal["zh", "en"]
DEFAULT: Language = "zh"
_current: ContextVar[Language] = ContextVar("language", default=DEFAULT)
# A catalog: key → (Chinese template, English template), each a str.format template.
Catalog = dict[str, tuple[str, str]]


def language() -> Language:
    return _current.get()


@contextmanager
def speaking(lang: Language) -> Iterator[None]:
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def say(catalog: Catalog, key: str, /, **params: Any) -> str:
    """The sentence ``key`` of ``catalog`` in the current language, with ``params`` filled in."""
    zh, en = catalog[key]
    return (zh if language() == "zh" else en).format(**params)


def figure(value: float | None) -> str:
    """A number as an office writes it: at most one decimal place, none when whole (99.4536 →
    99.5, 85.0 → 85), no thousands separators."""
    if value is None:
        return "—"
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def percent(share: float) -> str:
    """A share (0.855) as a percentage with one decimal at most: 85.5%."""
    return f"{figure(share * 100)}%"


_RANGE = re.compile(r"\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*")


def negotiate(header: str | None) -> Language:
    """The language a request asks for: the best-weighted of Chinese and English in its
    ``Accept-Language`` (RFC 9110), Chinese when it names neither."""
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((header or "").split(",")):
        match = _RANGE.fullmatch(part)
        if match is None:
            continue
        tag, q = match.group(1).lower(), match.group(2)
        try:
            weight = float(q) if q is not None else 1.0
        except ValueError:
            continue
        primary = tag.split("-")[0]
        lang: Language | None = "en" if primary == "en" else "zh" if primary == "zh" else None
        if lang is None or weight <= 0:
            continue
        candidate = (weight, -position, lang)
        if best is None or candidate > best:
            best = candidate
    return best[2] if best is not None else DEFAULT


class LanguageMiddleware:
    """Sets the request's language from ``Accept-Language`` and says which it answered in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-language"), None
        )
        lang = negotiate(header)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Language", "zh-CN" if lang == "zh" else "en")
                headers.add_vary_header("Accept-Language")
            await send(message)

        with speaking(lang):
            await self.app(scope, receive, send_with_language)
