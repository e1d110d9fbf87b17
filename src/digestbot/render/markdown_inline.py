"""Inline Markdown (emphasis, code spans, links) to Telegram HTML, escaping every piece of text.

Emphasis follows CommonMark's delimiter stack with one change for Chinese: ``*``/``**`` open
when not followed by a space and close when not preceded by one, so ``**阿里巴巴**，`` is bold.
``_`` never opens or closes inside a word (``snake_case``); between Han characters it may.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from digestbot.render.telegram_html import escape, escape_attr

__all__ = ["is_cjk", "render_inline", "safe_url"]

_SAFE_SCHEME = re.compile(r"(?i)(?:https?|tg|mailto):\S")
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_AUTOLINK = re.compile(r"<((?:https?|tg|mailto):[^\s<>]+)>", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")
_URL_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_TITLE = re.compile(r"""[ \t\n]+(?:"[^"]*"|'[^']*'|\([^()]*\))""")
_MAX_LABEL, _MAX_URL = 2000, 4096
_TAGS = {"*": ("i", "b"), "_": ("i", "b"), "~": ("s", "s")}


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a Han character, kana or CJK/full-width punctuation (no spaces around)."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    )


def safe_url(url: str) -> bool:
    """Whether a link to ``url`` may be shown: only http, https, tg and mailto URLs."""
    return _SAFE_SCHEME.match(url) is not None


@dataclass(slots=True)
class _Delim:
    """A run of ``*``, ``_`` or ``~~``; matched parts become tags, the rest stays literal."""

    char: str
    count: int
    can_open: bool
    can_close: bool
    opens: list[str] = field(default_factory=list)
    closes: list[str] = field(default_factory=list)

    def render(self) -> str:
        """Closing tags, the unmatched characters, then opening tags."""
        closes = "".join(f"</{tag}>" for tag in self.closes)
        opens = "".join(f"<{tag}>" for tag in self.opens)
        return closes + self.char * self.count + opens


def _word_char(ch: str) -> bool:
    """A character that makes ``_`` intraword: letters and digits, except CJK."""
    return ch.isalnum() and not is_cjk(ch)


def _delim(text: str, start: int, end: int) -> _Delim:
    """Classify the delimiter run ``text[start:end]`` as opener and/or closer."""
    char = text[start]
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    can_open = not after.isspace()
    can_close = not before.isspace()
    if char == "_":
        can_open = can_open and not _word_char(before)
        can_close = can_close and not _word_char(after)
    if char == "~" and end - start != 2:
        can_open = can_close = False
    return _Delim(char, end - start, can_open, can_close)


def _match_emphasis(nodes: list[str | _Delim]) -> None:
    """Pair delimiter runs as CommonMark does (nearest opener first), writing tags into them."""
    openers: list[_Delim] = []
    waiting = dict.fromkeys("*_~", 0)  # openers on the stack per character, to skip hopeless scans
    for node in nodes:
        if not isinstance(node, _Delim):
            continue
        while node.can_close and node.count and waiting[node.char]:
            index = len(openers) - 1
            while openers[index].char != node.char:
                index -= 1
            for dropped in openers[index + 1 :]:  # crossed by this pair: they stay literal
                waiting[dropped.char] -= 1
            del openers[index + 1 :]
            opener = openers[index]
            use = 2 if opener.count >= 2 and node.count >= 2 else 1
            tag = _TAGS[node.char][use - 1]
            opener.count -= use
            node.count -= use
            opener.opens.insert(0, tag)
            node.closes.append(tag)
            if not opener.count:
                openers.pop()
                waiting[node.char] -= 1
        if node.can_open and node.count:
            openers.append(node)
            waiting[node.char] += 1


def _bracket_pairs(text: str) -> dict[int, int]:
    """Map each ``[`` to the index of its matching ``]`` (escapes skipped), in one pass."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            pos += 1
        elif ch == "[":
            stack.append(pos)
        elif ch == "]" and stack:
            pairs[stack.pop()] = pos
        pos += 1
    return pairs


def _backtick_runs(text: str) -> dict[int, list[int]]:
    """Start offsets of every maximal run of backticks, by run length, in one pass."""
    runs: dict[int, list[int]] = {}
    for run in _BACKTICKS.finditer(text):
        runs.setdefault(len(run[0]), []).append(run.start())
    return runs


def _code_span(text: str, start: int, runs: dict[int, list[int]]) -> tuple[str, int]:
    """The code span opening at ``start`` as (html, end); a run with no closer stays literal."""
    run_end = start
    while run_end < len(text) and text[run_end] == "`":
        run_end += 1
    size = run_end - start
    starts = runs.get(size, [])
    index = bisect_left(starts, run_end)
    if index == len(starts):
        return text[start:run_end], run_end
    body = text[run_end : starts[index]].replace("\n", " ")
    if len(body) > 2 and body[0] == body[-1] == " " and body.strip():
        body = body[1:-1]
    return f"<code>{escape(body)}</code>", starts[index] + size


def _link_destination(text: str, start: int) -> tuple[str, int] | None:
    """Parse ``(url "title")`` at ``start`` (the ``(``) into (url, end), or None."""
    pos = start + 1
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    if text.startswith("<", pos):
        close = text.find(">", pos)
        if close < 0 or "\n" in text[pos:close]:
            return None
        url, pos = text[pos + 1 : close], close + 1
    else:
        begin, depth = pos, 0
        while pos < len(text) and pos - begin < _MAX_URL and not text[pos].isspace():
            if text[pos] == "\\":
                pos += 1
            elif text[pos] == "(":
                depth += 1
            elif text[pos] == ")":
                if not depth:
                    break
                depth -= 1
            pos += 1
        url = text[begin:pos]
    title = _TITLE.match(text, pos)
    if title is not None:
        pos = title.end()
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    if not text.startswith(")", pos):
        return None
    return _URL_ESCAPE.sub(r"\1", url).replace(" ", "%20"), pos + 1


def _link(label_html: str, url: str) -> str:
    """An ``<a>`` element, or just the label when the URL's scheme is not allowed."""
    if not safe_url(url):
        return label_html
    return f'<a href="{escape_attr(url)}">{label_html or escape(url)}</a>'


def _bracket_link(text: str, start: int, brackets: dict[int, int]) -> tuple[str, int] | None:
    """The ``[label](url)`` at ``start`` as (html, end), or None when it is not a link."""
    label_end = brackets.get(start, len(text))
    if label_end - start > _MAX_LABEL or not text.startswith("(", label_end + 1):
        return None
    dest = _link_destination(text, label_end + 1)
    if dest is None:
        return None
    return _link(render_inline(text[start + 1 : label_end], links=False), dest[0]), dest[1]


def render_inline(text: str, *, links: bool = True) -> str:
    """Render one block's inline Markdown as Telegram HTML; unmatched markers stay literal."""
    nodes: list[str | _Delim] = []
    literal: list[str] = []
    runs = _backtick_runs(text) if "`" in text else {}
    brackets = _bracket_pairs(text) if links and "[" in text else {}
    pos = 0

    def flush() -> None:
        if literal:
            nodes.append(escape("".join(literal)))
            literal.clear()

    while pos < len(text):
        ch = text[pos]
        if ch == "\\" and pos + 1 < len(text) and text[pos + 1] in _ESCAPABLE:
            literal.append(text[pos + 1])
            pos += 2
            continue
        found: tuple[str, int] | None = None
        if ch == "`":
            found = _code_span(text, pos, runs)
        elif ch == "[" and links:
            found = _bracket_link(text, pos, brackets)
        elif ch == "!" and links and text.startswith("[", pos + 1):
            found = _bracket_link(text, pos + 1, brackets)  # an image: shown as a link to it
        elif ch == "<" and links:
            auto = _AUTOLINK.match(text, pos)
            if auto is not None:
                found = _link("", auto[1]), auto.end()
        elif ch in "*_~":
            end = pos
            while end < len(text) and text[end] == ch:
                end += 1
            flush()
            nodes.append(_delim(text, pos, end))
            pos = end
            continue
        if found is None:
            literal.append(ch)
            pos += 1
            continue
        flush()
        nodes.append(found[0])
        pos = found[1]
    flush()
    _match_emphasis(nodes)
    return "".join(node if isinstance(node, str) else node.render() for node in nodes)
