"""Escaping for Telegram HTML, and a strict reader of it: the visible text plus where each tag sits.

Telegram (TDLib) decodes only ``&lt; &gt; &amp; &quot;`` and numeric references, ``;`` optional;
other ``&name;`` stays literal. Unknown, stray or unbalanced tags raise ``ValueError`` here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ALLOWED_TAGS",
    "ParsedHtml",
    "TagEvent",
    "escape",
    "escape_attr",
    "parse_html",
    "utf16_len",
    "visible_length",
]

ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "blockquote", "tg-spoiler", "span", "tg-emoji",
    }
)  # fmt: skip

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MARKUP = re.compile(
    r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)"
    r"(?P<attrs>(?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
    r"|&(?:(?P<named>lt|gt|amp|quot)(?![A-Za-z])|#(?P<dec>[0-9]{1,7})(?![0-9])"
    r"|#x(?P<hex>[0-9a-fA-F]{1,6})(?![0-9a-fA-F]));?"
    r"|<"
)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def escape(text: str) -> str:
    """Escape a text node: ``&``, ``<`` and ``>``; Telegram then shows ``text`` exactly."""
    return text.translate(_ESCAPES)


def escape_attr(value: str) -> str:
    """Escape a double-quoted attribute value: as ``escape`` plus ``"``."""
    return value.translate(_ATTR_ESCAPES)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram clients count in."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass(frozen=True, slots=True)
class TagEvent:
    """A start tag (``raw`` is its source) or an end tag (``raw`` empty) at a text offset."""

    offset: int  # index into ParsedHtml.text (code points)
    name: str  # lower-case tag name
    raw: str

    @property
    def is_open(self) -> bool:
        """Whether this is a start tag."""
        return bool(self.raw)


@dataclass(frozen=True, slots=True)
class ParsedHtml:
    """The text Telegram would show and the tags around it; empty elements are left out."""

    text: str
    events: tuple[TagEvent, ...]


def _decode(match: re.Match[str]) -> str | None:
    """The character an entity reference stands for, or None when Telegram keeps it literal."""
    if match["named"]:
        return _NAMED[match["named"]]
    code = int(match["dec"], 10) if match["dec"] else int(match["hex"], 16)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(html: str) -> ParsedHtml:
    """Read Telegram HTML; raise ``ValueError`` on an unknown, stray or unbalanced tag."""
    text: list[str] = []
    length = 0
    events: list[TagEvent] = []
    stack: list[tuple[str, int]] = []  # (name, text offset where it opened)
    pos = 0
    for match in _MARKUP.finditer(html):
        if match.start() > pos:
            text.append(html[pos : match.start()])
            length += match.start() - pos
        pos = match.end()
        name = match["name"]
        if name is None:
            if match.group() == "<":
                raise ValueError(f"bare '<' at offset {match.start()}")
            char = _decode(match)
            piece = match.group() if char is None else char
            text.append(piece)
            length += len(piece)
            continue
        name = name.lower()
        if name not in ALLOWED_TAGS:
            raise ValueError(f"unsupported tag {name!r} at offset {match.start()}")
        if not match["close"]:
            stack.append((name, length))
            events.append(TagEvent(length, name, match.group()))
            continue
        if not stack or stack[-1][0] != name:
            raise ValueError(f"unmatched end tag {name!r} at offset {match.start()}")
        _, opened_at = stack.pop()
        if opened_at == length:  # empty element: nothing to show, drop its start tag too
            events.pop()
        else:
            events.append(TagEvent(length, name, ""))
    if stack:
        raise ValueError(f"unclosed tag {stack[-1][0]!r}")
    text.append(html[pos:])
    return ParsedHtml("".join(text), tuple(events))


def visible_length(html: str) -> int:
    """UTF-16 length of the text Telegram shows for ``html`` (entities decoded, tags removed)."""
    return utf16_len(parse_html(html).text)
