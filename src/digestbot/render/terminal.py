"""Telegram HTML as terminal text, for ``digest preview`` (pure).

Entities are decoded and tags dropped; bold (``b``/``strong``) becomes ANSI bold when asked for (a
terminal), a link becomes ``text (url)``. Control characters in the text and links are removed, so
an article cannot move the cursor or recolour the operator's terminal. HTML that Telegram would
refuse still renders, with its tags stripped.
"""

from __future__ import annotations

import html as html_module
import re

from digestbot.render.telegram_html import ParsedHtml, parse_html

__all__ = ["BOLD", "RESET", "html_to_terminal"]

BOLD, RESET = "\033[1m", "\033[0m"
_BOLD_TAGS = frozenset({"b", "strong"})
_HREF = re.compile(r"""\bhref\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'>]+))""")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # keeps tab and newline
_ANY_TAG = re.compile(r"<[^>]*>")


def html_to_terminal(html: str, *, bold: bool = False) -> str:
    """The text of Telegram ``html`` for a terminal; ``bold``: mark bold with ANSI codes."""
    try:
        parsed = parse_html(html)
    except ValueError:
        return _clean(html_module.unescape(_ANY_TAG.sub("", html)))
    return _render(parsed, bold=bold)


def _render(parsed: ParsedHtml, *, bold: bool) -> str:
    """Walk the text and its tag events, adding bold codes and link targets."""
    out: list[str] = []
    open_tags: list[tuple[str, str, int]] = []  # (name, href, text offset where it opened)
    bold_depth = 0
    position = 0
    for event in parsed.events:
        out.append(_clean(parsed.text[position : event.offset]))
        position = event.offset
        if event.is_open:
            open_tags.append((event.name, _href(event.raw), event.offset))
            if event.name in _BOLD_TAGS:
                bold_depth += 1
                if bold and bold_depth == 1:
                    out.append(BOLD)
            continue
        name, href, opened_at = open_tags.pop()
        if name == "a" and href and href != parsed.text[opened_at : event.offset].strip():
            out.append(f" ({href})")
        if name in _BOLD_TAGS:
            bold_depth -= 1
            if bold and bold_depth == 0:
                out.append(RESET)
    out.append(_clean(parsed.text[position:]))
    return "".join(out)


def _href(start_tag: str) -> str:
    """The decoded, printable ``href`` of a start tag ("" when it has none)."""
    found = _HREF.search(start_tag)
    if found is None:
        return ""
    value = found["dq"] if found["dq"] is not None else found["sq"] or found["bare"] or ""
    return _clean(html_module.unescape(value)).strip()


def _clean(text: str) -> str:
    """``text`` without control characters other than tab and newline."""
    return _CONTROL.sub("", text)
