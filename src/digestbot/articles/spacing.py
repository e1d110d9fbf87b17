"""Whitespace in running text shown to readers (pure): Chinese needs none between its characters.

Line breaks and spaces collapse to one space, except next to Chinese punctuation and between two
Chinese characters, where they vanish: ``同步推进。\\n新一代`` reads ``同步推进。新一代``. A space
between Chinese and a Latin word (``中国领先的 AI 投资者``) is the author's and stays.
"""

from __future__ import annotations

import re

from digestbot.articles.lang import HAN_CLASS

__all__ = ["collapse_spaces"]

_CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_CJK = re.compile(f"[{HAN_CLASS}{_CJK_PUNCT}\u3040-\u30ff]")
_PUNCT = re.compile(f"[{_CJK_PUNCT}]")
_RUN = re.compile(r"\s+")


def _vanishes(left: str, right: str) -> bool:
    """Whether whitespace between the characters ``left`` and ``right`` should go."""
    if _PUNCT.match(left) or _PUNCT.match(right):
        return True
    return bool(_CJK.match(left)) and bool(_CJK.match(right))


def collapse_spaces(text: str, before: str = "", after: str = "") -> str:
    """``text`` with each whitespace run one space or none (see the module docstring).

    ``before`` and ``after`` are the text around ``text`` when it is one piece of a longer run
    (a snippet's segments): their last and first characters decide the runs at its ends.
    """

    def one(match: re.Match[str]) -> str:
        start, end = match.span()
        left = text[start - 1] if start else before[-1:]
        right = text[end] if end < len(text) else after[:1]
        return "" if left and right and _vanishes(left, right) else " "

    return _RUN.sub(one, text)
