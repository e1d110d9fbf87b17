"""An article body cut into language sections at thematic breaks, source-link lines taken out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from digestbot.articles.lang import detect_lang
from digestbot.articles.markdown import next_fence, split_title
from digestbot.model import Lang

__all__ = ["Body", "group_by_lang", "split_body"]

_SOURCE_LINE = re.compile(
    r"[ \t]*\[[ \t]*(?:原文链接|原文連結|原文|来源|來源|source(?:[ \t]+link)?)[ \t]*[:：]?[ \t]*\]"
    r"\([ \t]*<?(https?://(?:[^\s()<>]|\([^\s()<>]*\))+)>?(?:[ \t]+\"[^\"]*\")?[ \t]*\)[ \t]*",
    re.IGNORECASE,
)
_MINOR_SHARE = 0.25  # an untitled chunk under this share of the longest is no translation
_CANDIDATE_LINE = re.compile(r"\n[ \t]*[-*_\[`~]")  # lines that may be a break, a source or a fence
_BREAK = re.compile(r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})")


@dataclass(frozen=True, slots=True)
class Body:
    """The parts of an article body: Markdown chunks between breaks and the source links found."""

    chunks: tuple[str, ...]  # stripped, non-empty, in file order
    urls: tuple[str, ...]  # from source-link lines, in file order


def split_body(markdown: str) -> Body:
    """Cut ``markdown`` at thematic-break lines (``---``, ``***``, ``___``) outside code blocks.

    A line that is only a source link (``[原文链接](url)``, ``[Source](url)``, ...) is collected
    and left out wherever it stands.
    """
    text = "\n" + markdown  # every line now follows a newline, which the regex can jump to
    chunks: list[str] = []
    pieces: list[str] = []  # of the chunk being collected
    urls: list[str] = []
    kept = 1  # where the text not yet collected starts
    fence: str | None = None
    for candidate in _CANDIDATE_LINE.finditer(text):
        start = candidate.start() + 1
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if fence is not None or line.lstrip()[:1] in ("`", "~"):
            fence = next_fence(line, fence)
            continue
        source = _SOURCE_LINE.fullmatch(line)
        if source is None and not _BREAK.fullmatch(line):
            continue
        pieces.append(text[kept:start])
        kept = len(text) if end < 0 else end + 1
        if source is not None:
            urls.append(source[1])
        else:
            chunks.append("".join(pieces))
            pieces = []
    pieces.append(text[kept:])
    chunks.append("".join(pieces))
    return Body(tuple(chunk for raw in chunks if (chunk := raw.strip())), tuple(urls))


def group_by_lang(
    chunks: tuple[str, ...], *, declared: Lang | None, fallback: Lang
) -> list[tuple[Lang, str]]:
    """Chunks joined per detected language, in order of first appearance.

    Chunks of one language are joined (a break inside one language is only a divider). A chunk
    without letters goes with its neighbour, and so does a short untitled one in a language no
    main chunk has (a credit line is not a translation). ``declared`` (front-matter ``lang``)
    decides when the text shows at most one language; ``fallback`` when it shows none.
    """
    langs = [detect_lang(chunk) for chunk in chunks]
    minor = _minor_chunks(chunks)
    major = {lang for lang, small in zip(langs, minor, strict=True) if not small}
    langs = [
        None if small and lang not in major else lang
        for lang, small in zip(langs, minor, strict=True)
    ]
    known = [lang for lang in langs if lang is not None]
    if declared is not None and len(set(known)) <= 1:
        langs = [declared] * len(chunks)
    else:
        previous = known[0] if known else fallback
        for index, lang in enumerate(langs):
            previous = langs[index] = lang or previous
    groups: dict[Lang, list[str]] = {}
    for lang, chunk in zip(langs, chunks, strict=True):
        groups.setdefault(lang or fallback, []).append(chunk)
    return [(lang, "\n\n".join(parts)) for lang, parts in groups.items()]


def _minor_chunks(chunks: tuple[str, ...]) -> list[bool]:
    """For each chunk, whether it is short and untitled: a note beside the text, not a section."""
    longest = max(map(len, chunks), default=0)
    return [
        len(chunk) < _MINOR_SHARE * longest and split_title(chunk)[0] is None for chunk in chunks
    ]
