"""Snippets (pure): a short window of the original text with the query's hits marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digestbot.articles.spacing import collapse_spaces
from digestbot.store.tokenize import (
    SEP,
    SearchQuery,
    is_cjk,
    phrase_pattern,
    tokens_with_spans,
    word_start,
)

__all__ = ["SNIPPET_WIDTH", "Snippet", "hit_spans", "make_snippet"]

SNIPPET_WIDTH = 160  # terminal columns: a CJK character counts two
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Snippet:
    """Text in segments ``(text, is_hit)``; each renderer marks the hits its own way."""

    segments: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        """The snippet without marks."""
        return "".join(text for text, _ in self.segments)

    def marked(self, open: str, close: str) -> str:
        """The snippet with every hit between ``open`` and ``close`` (escape segments first)."""
        return "".join(f"{open}{text}{close}" if hit else text for text, hit in self.segments)


def hit_spans(text: str, query: SearchQuery) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of ``text`` that match a group of ``query``, merged, in order."""
    tokens = list(tokens_with_spans(text))
    words = [t.text for t in tokens]
    spans: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        if token.text == SEP:
            continue
        for group in query.groups:
            first = group.tokens[0]
            if group.prefix:
                if not token.cjk and token.text.startswith(first):
                    spans.append((token.start, token.end))
            elif token.text == first and words[i : i + len(group.tokens)] == list(group.tokens):
                spans.append((token.start, tokens[i + len(group.tokens) - 1].end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, first_hit: int) -> tuple[int, int]:
    """A ``[start, end)`` window of about :data:`SNIPPET_WIDTH` columns around ``first_hit``."""
    nearby = text[first_hit : first_hit + SNIPPET_WIDTH]
    wide = len(nearby.encode()) > 2 * len(nearby)  # mostly CJK: two columns a character
    width = SNIPPET_WIDTH // 2 if wide else SNIPPET_WIDTH
    start = max(0, first_hit - width // 4)
    if start > 0:  # begin at a word or sentence boundary when one is near
        boundary = max(text.rfind(" ", start, first_hit), text.rfind("。", start, first_hit))
        if boundary >= 0:
            start = boundary + 1
    end = min(len(text), start + width)
    if end < len(text):
        boundary = text.rfind(" ", max(end - 20, first_hit), end)
        if boundary > first_hit:
            end = boundary
    return start, end


def _first_hits(text: str, query: SearchQuery, as_written: bool) -> list[int]:
    """Where each group first appears in ``text``, found quickly (exact text, any case)."""
    found = []
    for group in query.groups:
        if not is_cjk(group.tokens[0][0]):  # a word, whole or prefix
            match = word_start(group.tokens[0]).search(text)
            position = match.start() if match else -1
        else:
            position = text.find("".join(group.tokens))
            if position < 0 and not as_written:  # in the other script, compatibility forms
                match = phrase_pattern(" ".join(group.tokens)).search(text)
                position = match.start() if match else -1
        if position >= 0:
            found.append(position)
    return found


def _exact(fields: Sequence[str], query: SearchQuery) -> tuple[str, list[tuple[int, int]]]:
    """The field with the most hits and its hit spans, tokenizing every field in full."""
    best: tuple[int, str, list[tuple[int, int]]] | None = None
    for field in fields:
        spans = hit_spans(field, query)
        if spans and (best is None or len(spans) > best[0]):
            best = (len(spans), field, spans)
    if best is None:
        return next((f for f in fields if f.strip()), ""), []
    return best[1], best[2]


def make_snippet(fields: Sequence[str], query: SearchQuery, *, as_written: bool = False) -> Snippet:
    """A snippet from the field (in order of preference) where most query groups hit.

    ``as_written``: no character of the fields folds to another or to nothing (the text has no
    ``folded`` phrases), so a CJK phrase not found as written is not there.
    """
    best: tuple[int, str, int] | None = None
    for field in fields:
        found = _first_hits(field, query, as_written)
        if found and (best is None or len(found) > best[0]):
            best = (len(found), field, min(found))
    spans: list[tuple[int, int]] = []
    if best is not None:  # tokenize only the window around the first hit
        text = best[1]
        start, end = _window(text, best[2])
        spans = [(start + a, start + b) for a, b in hit_spans(text[start:end], query)]
    if not spans:  # folding the quick search cannot see (accents, compatibility forms)
        text, spans = _exact(fields, query)
        start, end = _window(text, spans[0][0] if spans else 0)
    return _segments(text, start, end, spans)


def _segments(text: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> Snippet:
    segments: list[tuple[str, bool]] = []
    if start > 0:
        segments.append((ELLIPSIS, False))
    cursor = start
    for hit_start, hit_end in spans:
        if hit_end <= start or hit_start >= end:
            continue
        hit_start, hit_end = max(hit_start, start), min(hit_end, end)
        segments.append((text[cursor:hit_start], False))
        segments.append((text[hit_start:hit_end], True))
        cursor = hit_end
    segments.append((text[cursor:end], False))
    if end < len(text):
        segments.append((ELLIPSIS, False))
    parts = [part for part, _ in segments]
    cleaned = (
        (collapse_spaces(part, "".join(parts[:i])[-1:], "".join(parts[i + 1 :])[:1]), hit)
        for i, (part, hit) in enumerate(segments)
    )
    return Snippet(tuple((part, hit) for part, hit in cleaned if part))
