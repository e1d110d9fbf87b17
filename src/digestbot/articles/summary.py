"""Summaries: a text cut at a sentence end to the length a digest line can carry."""

from __future__ import annotations

import re
from collections.abc import Mapping

from digestbot.articles.lang import HAN_CLASS
from digestbot.model import Lang

__all__ = ["SUMMARY_LIMITS", "TITLE_LIMITS", "cut_summary", "lead"]

SUMMARY_LIMITS = {Lang.ZH: 120, Lang.EN: 300}  # characters, the "…" included
TITLE_LIMITS = {Lang.ZH: 50, Lang.EN: 120}  # for a title taken from the text
_CLOSERS = "\"'”’」』）)\\]"
_SENTENCE_END = re.compile(f"[。！？!?.][{_CLOSERS}]*(?=\\s|$)|[。！？][{_CLOSERS}]*")
_CJK_STOP = ("。", "！", "？")
_WORD_TAIL = re.compile(f"(?:[^\\W{HAN_CLASS}]|['’-])+$")
_WORD_CHAR = re.compile(f"[^\\W{HAN_CLASS}]|['’-]")


def lead(plain: str) -> str:
    """Plain-text lines joined into one run of prose (no space after a Chinese sentence end)."""
    out: list[str] = []
    for line in plain.split("\n"):
        if out and not out[-1].endswith(_CJK_STOP):
            out.append(" ")
        out.append(line)
    return "".join(out)


def cut_summary(text: str, lang: Lang, limits: Mapping[Lang, int] = SUMMARY_LIMITS) -> str:
    """``text`` unchanged when short enough, else cut at the last sentence end within the limit.

    With no sentence end in reach it is cut between words and marked with ``…``.
    """
    text = text.strip()
    limit = limits[lang]
    if len(text) <= limit:
        return text
    best = 0
    for match in _SENTENCE_END.finditer(text, 0, limit + 1):
        if match.end() <= limit:
            best = match.end()
    if best:
        return text[:best].rstrip()
    cut = limit - 1
    if _WORD_CHAR.match(text, cut) and (tail := _WORD_TAIL.search(text, 0, cut)) and tail.start():
        cut = tail.start()
    return text[:cut].rstrip() + "…"
