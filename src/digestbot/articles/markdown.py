"""Just enough Markdown for articles: the H1 title, **bold** key terms, plain text for search."""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["bold_phrases", "next_fence", "split_title", "to_plain"]

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")  # opening or closing line of a fenced code block
_H1 = re.compile(r"^ {0,3}#[ \t]+(.*)$", re.MULTILINE)
_SETEXT_H1 = re.compile(r"^ {0,3}(\S.*)\n {0,3}=+[ \t]*$", re.MULTILINE)  # Title\n=====
# Patterns start with a literal where they can: the regex engine then skips ahead to it quickly.
_STAR_BOLD = re.compile(r"\*\*([^*\s](?:[^*\n]*[^*\s])?)\*\*")
_LINE_BOLD = re.compile(r"__(?<![A-Za-z0-9_]__)([^_\s](?:[^_\n]*[^_\s])?)__(?![A-Za-z0-9_])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_PRIVATE = 0xE000  # escaped punctuation is parked in the private-use area while markers are removed
_PARKED = re.compile("[\ue021-\ue07e]")

# (needed character, pattern, replacement), applied in order to "\n" + Markdown outside code blocks;
# a rule is skipped when its character is absent: the common case, and a one-character test is
# far cheaper than a regex or a longer substring search over the whole text.
_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("]", re.compile(r"\n {0,3}\[[^\]\n]+\]:[ \t]*\S[^\n]*"), "\n"),  # link references
    ("#", re.compile(r"\n {0,3}#{1,6}(?=[ \t\n]|$)[ \t]*"), "\n"),  # ATX heading markers
    ("=", re.compile(r"\n {0,3}=+[ \t]*(?=\n|$)"), "\n"),  # setext heading underlines
    (">", re.compile(r"\n {0,3}(?:>[ \t]?)+"), "\n"),  # blockquote markers
    ("\n", re.compile(r"\n[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?"), "\n"),  # lists
    ("!", re.compile(r"!\[([^\[\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)"), r"\1"),  # images
    ("[", re.compile(r"\[([^\[\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)"), r"\1"),  # links
    ("[", re.compile(r"\[([^\[\]\n]+)\]\[[^\]\n]*\]"), r"\1"),  # reference links
    ("<", re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),  # autolinks; other <...> is text
    ("`", re.compile(r"(`+)([^`\n]+?)\1"), r"\2"),  # inline code
    ("_", _LINE_BOLD, r"\1"),
    ("*", re.compile(r"\*([^*\s](?:[^*\n]*[^*\s])?)\*"), r"\1"),  # *emphasis*
    ("_", re.compile(r"_(?<![A-Za-z0-9_]_)([^_\s](?:[^_\n]*[^_\s])?)_(?![A-Za-z0-9_])"), r"\1"),
    ("~", re.compile(r"~~([^~\s](?:[^~\n]*[^~\s])?)~~"), r"\1"),  # strikethrough
)


def split_title(markdown: str) -> tuple[str | None, str]:
    """The first H1 outside code (its text, still Markdown) and the Markdown without it."""
    if "#" not in markdown and "=" not in markdown:
        return None, markdown
    for is_code, start, end in _blocks(markdown):
        if is_code:
            continue
        patterns = (_H1, _SETEXT_H1) if "=" in markdown else (_H1,)
        found = [
            match
            for pattern in patterns
            if (match := pattern.search(markdown, start, end)) is not None
        ]
        if found:
            match = min(found, key=lambda match: match.start())
            rest = markdown[: match.start()] + markdown[match.end() :]
            return _without_closing_hashes(match[1].rstrip()).strip(), rest
    return None, markdown


def bold_phrases(markdown: str) -> tuple[str, ...]:
    """The ``**bold**`` and ``__bold__`` phrases outside code, in order, stripped and unique."""
    seen: dict[str, None] = {}
    for is_code, start, end in _blocks(markdown):
        if is_code:
            continue
        matches = list(_STAR_BOLD.finditer(markdown, start, end))
        if "_" in markdown:
            matches += _LINE_BOLD.finditer(markdown, start, end)
            matches.sort(key=lambda match: match.start())
        for match in matches:
            phrase = match[1]
            if "[" in phrase or "`" in phrase or "\\" in phrase or "_" in phrase or "*" in phrase:
                phrase = _strip_inline(phrase)
            phrase = " ".join(phrase.split())
            if phrase:
                seen.setdefault(phrase, None)
    return tuple(seen)


def to_plain(markdown: str) -> str:
    """``markdown`` as plain text: syntax removed, code kept, one line per non-blank line."""
    parts = [
        markdown[start:end] if is_code else _strip_inline(markdown[start:end])
        for is_code, start, end in _blocks(markdown)
    ]
    return "\n".join(line for raw in "\n".join(parts).split("\n") if (line := raw.strip()))


def _strip_inline(text: str) -> str:
    """Markdown syntax removed from ``text`` (no code blocks inside); backslash escapes honoured."""
    escaped = "\\" in text
    if escaped:
        text = _ESCAPED.sub(lambda m: chr(_PRIVATE + ord(m[1])), text)
    if "*" in text:
        text = text.replace("**", "")  # bold markers go wherever they stand
    text = "\n" + text
    for needed, pattern, replacement in _RULES:
        if needed in text:
            text = pattern.sub(replacement, text)
    text = text[1:]
    if escaped:
        text = _PARKED.sub(lambda m: chr(ord(m[0]) - _PRIVATE), text)
    return text


def _without_closing_hashes(heading: str) -> str:
    """``heading`` without an ATX closing sequence (``# Title ##``)."""
    bare = heading.rstrip("#")
    return bare if bare != heading and (not bare or bare[-1] in " \t") else heading


def _blocks(markdown: str) -> Iterator[tuple[bool, int, int]]:
    """``(is_code, start, end)`` spans of ``markdown``; fence lines belong to neither kind."""
    if not ("`" in markdown and "```" in markdown) and not ("~" in markdown and "~~~" in markdown):
        yield False, 0, len(markdown)
        return
    start = pos = 0
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        end = pos + len(line)
        after = next_fence(line, fence)
        if after != fence:
            yield fence is not None, start, pos
            fence, start = after, end
        pos = end
    yield fence is not None, start, len(markdown)


def next_fence(line: str, fence: str | None) -> str | None:
    """The code fence open after ``line``, given the one open before it (None: outside code)."""
    match = _FENCE.match(line)
    if match is None:
        return fence
    if fence is None:
        return match[1]
    closes = match[1][0] == fence[0] and len(match[1]) >= len(fence)
    return None if closes else fence
