"""Simplified and Traditional Chinese: the reader's script and the conversions between them.

Content keeps the script it was written in; a reader sees it in theirs. Conversion is OpenCC's,
phrase-level: Simplified to Taiwan standard (``s2twp``: 软件 → 軟體) or Hong Kong standard
(``s2hkp``), Traditional to Simplified (``tw2sp``: 軟體 → 软件). Where ``s2twp`` reads news as
software jargon (发布 → 釋出), Taiwan's news words are put in first (:data:`TAIWAN_PHRASES`:
发布会 → 發表會, 新闻发布会 → 記者會); Hong Kong text is OpenCC's as it is. A text already in
the reader's script is shown as written. Converted texts are memoized (bounded by size), so an
article is converted once per script, whatever the number of readers.

Search folds the scripts character by character (:func:`fold_han`): 台積電 and 台积电 index and
query alike, and a folded text keeps the length of the original (snippet spans stay valid).

OpenCC converters and the character tables are loaded on first use, never at import.
"""

from __future__ import annotations

import enum
import functools
import re
import threading
from collections import OrderedDict

__all__ = [
    "TAIWAN_PHRASES",
    "Script",
    "choose_script",
    "fold_han",
    "is_traditional",
    "script_from_telegram",
    "to_script",
]


class Script(enum.StrEnum):
    """The Chinese script a reader reads, with the regional standard for Traditional."""

    HANS = "hans"  # Simplified (mainland China, Singapore)
    HANT_TW = "hant-tw"  # Traditional, Taiwan standard
    HANT_HK = "hant-hk"  # Traditional, Hong Kong standard (also Macau)

    @property
    def traditional(self) -> bool:
        """Whether this is a Traditional script."""
        return self is not Script.HANS


_HK_REGIONS = frozenset({"hk", "mo"})


def script_from_telegram(language_code: str | None) -> Script:
    """The script of Telegram's ``language_code``: ``zh-hant``/``zh-tw`` Taiwan standard,
    ``zh-hk``/``zh-mo`` (and ``zh-hant-hk``) Hong Kong standard, anything else Simplified."""
    parts = (language_code or "").strip().lower().replace("_", "-").split("-")
    if parts[0] != "zh":
        return Script.HANS
    subtags = set(parts[1:])
    if subtags & _HK_REGIONS:
        return Script.HANT_HK
    if subtags & {"hant", "tw"}:
        return Script.HANT_TW
    return Script.HANS


def choose_script(traditional: bool, current: Script, language_code: str | None) -> Script:
    """The script a reader who picks Simplified or Traditional gets: Traditional keeps the
    reader's standard, else takes their Telegram region's (Hong Kong, else Taiwan)."""
    if not traditional:
        return Script.HANS
    if current.traditional:
        return current
    from_telegram = script_from_telegram(language_code)
    return from_telegram if from_telegram.traditional else Script.HANT_TW


# Code point ranges of Han characters OpenCC knows (BMP and extension B).
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))


@functools.cache
def _converter(config: str) -> object:
    import opencc

    return opencc.OpenCC(config)


def _convert(config: str, text: str) -> str:
    converted: str = _converter(config).convert(text)  # type: ignore[attr-defined]
    return converted


@functools.cache
def _char_table(config: str) -> dict[str, str]:
    """Each Han character that ``config`` converts, alone, to one other character."""
    chars = [chr(code) for first, last in _HAN_RANGES for code in range(first, last + 1)]
    converted = _convert(config, "\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # lines merged: no table rather than a wrong one
        return {}
    return {a: b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


@functools.cache
def _fold_table() -> dict[str, str]:
    """OpenCC's Traditional-to-Simplified characters, chains followed (薴 → 苧 → 苎)."""
    table = _char_table("t2s.json")
    folded = {}
    for source, target in table.items():
        while target in table and table[target] != source:
            target = table[target]
        folded[source] = target
    return folded


def fold_han(ch: str) -> str:
    """One character as search compares it: a Traditional character as its Simplified form."""
    return _fold_table().get(ch, ch)


def is_traditional(text: str) -> bool:
    """Whether ``text`` is mostly written in Traditional characters (more Traditional-only
    characters than Simplified-only ones)."""
    traditional = _char_table("t2s.json")
    simplified = _char_table("s2t.json")
    score = 0
    for ch in text:
        if ch in traditional:
            score += 1
        elif ch in simplified:
            score -= 1
    return score > 0


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]")
_TO_TRADITIONAL = {Script.HANT_TW: "s2twp.json", Script.HANT_HK: "s2hkp.json"}
# Simplified phrases that s2twp turns into Taiwan's software words (发布 → 釋出, "release"), as
# Taiwan's news writes them; the longest applies first.
TAIWAN_PHRASES = {"新闻发布会": "記者會", "发布会": "發表會", "发布": "發布"}
_TAIWAN_PHRASE = re.compile("|".join(sorted(TAIWAN_PHRASES, key=len, reverse=True)))
MEMO_CHARS = 4_000_000  # characters of source and converted text kept in the memo


class _Memo:
    """Converted texts by (text, script), least recently used dropped beyond ``limit`` chars."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.items: OrderedDict[tuple[str, Script], str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, Script]) -> str | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[str, Script], value: str) -> None:
        cost = len(key[0]) + (0 if value is key[0] else len(value))
        if cost > self.limit:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.used += cost
            while self.used > self.limit:
                (text, _), old = self.items.popitem(last=False)
                self.used -= len(text) + (0 if old is text else len(old))


_MEMO = _Memo(MEMO_CHARS)


def to_script(text: str, script: Script) -> str:
    """``text`` (Chinese, in either script) as a reader of ``script`` reads it.

    Simplified text becomes Traditional of the reader's standard and Traditional text Simplified;
    text already in the reader's script is returned as it is. Memoized: a text is converted once.
    """
    if text.isascii() or _HAN.search(text) is None:
        return text
    key = (text, script)
    found = _MEMO.get(key)
    if found is not None:
        return found
    if is_traditional(text) == script.traditional:
        converted = text
    elif script is Script.HANT_TW:
        taiwanese = _TAIWAN_PHRASE.sub(lambda found: TAIWAN_PHRASES[found[0]], text)
        converted = _convert(_TO_TRADITIONAL[script], taiwanese)
    elif script.traditional:
        converted = _convert(_TO_TRADITIONAL[script], text)
    else:
        converted = _convert("tw2sp.json", text)  # Taiwan words too: 軟體 → 软件
    _MEMO.put(key, converted)
    return converted
