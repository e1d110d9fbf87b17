"""Article Markdown to Telegram HTML: the blocks (paragraphs, headings, lists, quotes, code).

Telegram has no paragraphs, headings or lists: headings become a bold line, list items lines
starting ``• `` or ``1. ``, blocks are separated by a blank line, and soft line breaks become a
space (none between Chinese characters). Every piece of text is escaped; no source passes raw.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from digestbot.render.markdown_inline import is_cjk, render_inline
from digestbot.render.telegram_html import escape, escape_attr

__all__ = ["escape", "escape_attr", "markdown_to_telegram_html"]

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$")
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}=+[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_ITEM = re.compile(r"^([ \t]*)([-*+]|(\d{1,9})[.)])[ \t]+(\S.*)$")
_LANGUAGE = re.compile(r"[\w+#.-]{1,32}")
_INDENT = "  "


def _starts_block(line: str, in_paragraph: bool) -> bool:
    """Whether ``line`` begins a new block (ending a paragraph or list item that precedes it)."""
    if _FENCE.match(line) or _RULE.match(line) or _HEADING.match(line) or _QUOTE.match(line):
        return True
    item = _ITEM.match(line)
    if item is None:
        return False
    # As in CommonMark, only a numbered item starting at 1 may interrupt a paragraph.
    return not in_paragraph or item[3] is None or item[3] == "1"


def _join_lines(lines: list[str]) -> str:
    """Join a paragraph's lines: hard breaks (two trailing spaces or ``\\``) stay line breaks."""
    parts: list[str] = []
    for index, line in enumerate(lines):
        text = line.strip()
        if index:
            hard = lines[index - 1].endswith("  ") or parts[-1].endswith("\\")
            if hard and parts[-1].endswith("\\"):
                parts[-1] = parts[-1][:-1]
            if hard:
                parts.append("\n")
            elif parts[-1] and text and not (is_cjk(parts[-1][-1]) or is_cjk(text[0])):
                parts.append(" ")
        parts.append(text)
    return "".join(parts)


def _fenced(lines: list[str], start: int) -> tuple[str, int]:
    """Render the fenced code block opening at ``lines[start]``; return (html, next line)."""
    match = _FENCE.match(lines[start])
    assert match is not None
    indent, fence, info = len(match[1]), match[2], match[3]
    closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    end = start + 1
    while end < len(lines) and not closing.match(lines[end]):
        end += 1
    body = "\n".join(
        line[min(indent, len(line) - len(line.lstrip(" "))) :] for line in lines[start + 1 : end]
    )
    body = body.strip("\n").rstrip()
    if not body.strip():
        return "", end + 1
    if _LANGUAGE.fullmatch(info):
        return (
            f'<pre><code class="language-{escape_attr(info)}">{escape(body)}</code></pre>',
            end + 1,
        )
    return f"<pre>{escape(body)}</pre>", end + 1


def _list(lines: list[str], start: int) -> tuple[str, int]:
    """Render consecutive list items (with their continuation lines) as one block of lines."""
    items: list[tuple[str, str, list[str]]] = []  # (indent, marker number or "", text lines)
    end = start
    while end < len(lines) and lines[end].strip():
        item = _ITEM.match(lines[end])
        if item is not None:
            items.append((item[1].expandtabs(4), item[3] or "", [item[4]]))
        elif items and not _starts_block(lines[end], in_paragraph=True):
            items[-1][2].append(lines[end])
        else:
            break
        end += 1
    indents: list[int] = []
    counters: list[int | None] = []
    out: list[str] = []
    for indent, number, text in items:
        while indents and len(indent) < indents[-1]:
            indents.pop()
            counters.pop()
        if not indents or len(indent) > indents[-1]:
            indents.append(len(indent))
            counters.append(None)
        if number:
            last = counters[-1]
            counters[-1] = int(number) if last is None else last + 1
            marker = f"{counters[-1]}. "
        else:
            marker = "• "
        out.append(_INDENT * (len(indents) - 1) + marker + render_inline(_join_lines(text)))
    return "\n".join(out), end


def _quote(lines: list[str], start: int, quoted: bool) -> tuple[str, int]:
    """Render a block quote; Telegram cannot nest them, so inner quotes are flattened."""
    inner: list[str] = []
    end = start
    while end < len(lines) and lines[end].strip():
        marker = _QUOTE.match(lines[end])
        if marker is not None:
            inner.append(lines[end][marker.end() :])
        elif not _starts_block(lines[end], in_paragraph=True):
            inner.append(lines[end])  # lazy continuation
        else:
            break
        end += 1
    body = "\n\n".join(_blocks(inner, quoted=True))
    if not body or quoted:
        return body, end
    return f"<blockquote>{body}</blockquote>", end


def _blocks(lines: list[str], *, quoted: bool) -> Iterator[str]:
    """Yield the rendered, non-empty blocks of ``lines``."""
    pos = 0
    while pos < len(lines):
        line = lines[pos]
        html = ""
        if not line.strip() or _RULE.match(line):
            pos += 1
            continue
        if _FENCE.match(line):
            html, pos = _fenced(lines, pos)
        elif heading := _HEADING.match(line):
            title = render_inline((heading[2] or "").strip())
            html = f"<b>{title}</b>" if title.strip() else ""
            pos += 1
        elif _QUOTE.match(line):
            html, pos = _quote(lines, pos, quoted)
        elif _ITEM.match(line):
            html, pos = _list(lines, pos)
        else:
            end = pos + 1
            while end < len(lines) and lines[end].strip():
                if _SETEXT.match(lines[end]) or _starts_block(lines[end], in_paragraph=True):
                    break
                end += 1
            html = render_inline(_join_lines(lines[pos:end]))
            if end < len(lines) and _SETEXT.match(lines[end]):  # a "Title\n=====" heading
                html, end = f"<b>{html}</b>", end + 1
            pos = end
        if html.strip():
            yield html


def markdown_to_telegram_html(md: str) -> str:
    """Convert an article body's Markdown to Telegram HTML, blocks separated by a blank line."""
    lines = md.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n\n".join(_blocks(lines, quoted=False))
