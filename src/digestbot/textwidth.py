"""Terminal display width of text where CJK characters take two columns (pure)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["display_width", "fit"]

ELLIPSIS = "…"


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in {"Mn", "Me", "Cf"}:
        return 0
    return 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide CJK characters count two)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def fit(text: str, width: int, *, pad: bool = True) -> str:
    """``text`` cut to at most ``width`` columns (ending in … when cut), padded with spaces."""
    if width <= 0:
        return ""
    text = " ".join(text.split())
    if display_width(text) > width:
        kept: list[str] = []
        used = display_width(ELLIPSIS)
        for char in text:
            char_width = _char_width(char)
            if used + char_width > width:
                break
            kept.append(char)
            used += char_width
        text = "".join(kept) + ELLIPSIS
    if pad:
        text += " " * (width - display_width(text))
    return text
