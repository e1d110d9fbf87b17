"""The language of a piece of article text, Chinese or English, from its share of Han characters."""

from __future__ import annotations

import re

from digestbot.model import Lang

__all__ = ["HAN_CLASS", "detect_lang"]

# Han ideographs, Simplified and Traditional alike (unified, ext. A, compatibility, ext. B+).
HAN_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_NOT_HAN = re.compile(f"[^{HAN_CLASS}]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")

# A Han character is weighed against a Latin word (both about a syllable or two). Chinese prose
# carries Latin names (OpenAI, GPT-4o) but English prose rarely carries Han characters, so a
# modest Han share already means Chinese.
_MIN_HAN_SHARE = 0.3
_SAMPLE = 300  # characters looked at: a few sentences, enough to decide, cheap for long texts


def detect_lang(text: str) -> Lang | None:
    """The language of ``text`` from its share of Han characters; None when it has no letters."""
    sample = text[:_SAMPLE]
    han = len(_NOT_HAN.sub("", sample))  # deleting the rest is faster than finding each one
    if han == 0:
        return Lang.EN if _LATIN_WORD.search(sample) else None
    others = len(sample) - han  # an upper bound of the Latin words, enough for most Chinese
    if han >= _MIN_HAN_SHARE * (han + others):
        return Lang.ZH
    words = len(_LATIN_WORD.findall(sample))
    return Lang.ZH if han >= _MIN_HAN_SHARE * (han + words) else Lang.EN
