"""Message entities and formatted text as the Bot API sends them; entities found in user text.

Offsets and lengths count UTF-16 code units, as in the Bot API: an emoji outside the BMP is 2.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Entity",
    "FormattedText",
    "command_entities",
    "entity_order",
    "message_entities",
    "utf16_len",
]

_COMMAND_MAX = 64
_USERNAME_MIN, _USERNAME_MAX = 3, 32
_COMMAND_FENCES = frozenset("/<>")
_MENTION_MIN, _MENTION_MAX = 4, 32
_SHORT_USERNAMES = frozenset({"gif", "vid", "pic"})
_HASHTAG_MAX = 256
_HASHTAG_EXTRA = frozenset("_\u200c\u00b7")

# TDLib's order for entities that start and end together (lower first).
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}


@dataclass(frozen=True)
class Entity:
    """One MessageEntity: ``type`` such as ``bold`` or ``bot_command``, placed in UTF-16 units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The Bot API JSON object, with optional keys only when set."""
        data: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Entity:
        """Build from a Bot API JSON object; raises ``KeyError``/``TypeError`` when malformed."""
        offset, length = data["offset"], data["length"]
        if not isinstance(offset, int) or not isinstance(length, int):
            raise TypeError("offset and length must be integers")
        return cls(
            type=str(data["type"]),
            offset=offset,
            length=length,
            url=_optional_str(data.get("url")),
            language=_optional_str(data.get("language")),
            custom_emoji_id=_optional_str(data.get("custom_emoji_id")),
        )


@dataclass(frozen=True)
class FormattedText:
    """Plain text as a client shows it, with its entities sorted as Telegram sorts them."""

    text: str
    entities: tuple[Entity, ...] = ()


def entity_order(entity: Entity) -> tuple[int, int, int, str, str]:
    """Sort key: TDLib's order (offset, longer first, type priority), then a fixed one."""
    extra = entity.url or entity.language or entity.custom_emoji_id or ""
    return entity.offset, -entity.length, _PRIORITY.get(entity.type, 50), entity.type, extra


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units (characters beyond U+FFFF count twice)."""
    if s.isascii():
        return len(s)
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def _is_word_char(ch: str) -> bool:
    """A letter, a number or ``_``: what TDLib treats as part of a word around a command."""
    return ch == "_" or unicodedata.category(ch)[0] in "LN"


def _is_command_char(ch: str) -> bool:
    return ch == "_" or ("0" <= ch <= "9") or ("a" <= ch.lower() <= "z")


def _run_end(text: str, start: int) -> int:
    """Index just past the run of ``[A-Za-z0-9_]`` starting at ``start``."""
    end = start
    while end < len(text) and _is_command_char(text[end]):
        end += 1
    return end


def _command_span(text: str, slash: int) -> int | None:
    """End index of a bot command starting at ``text[slash] == '/'``, or None if there is none."""
    if slash > 0 and (_is_word_char(text[slash - 1]) or text[slash - 1] in _COMMAND_FENCES):
        return None
    end = _run_end(text, slash + 1)
    if not 1 <= end - slash - 1 <= _COMMAND_MAX:
        return None
    if end < len(text) and text[end] == "@":
        name_end = _run_end(text, end + 1)
        if not _USERNAME_MIN <= name_end - end - 1 <= _USERNAME_MAX:
            return None
        end = name_end
    if end < len(text) and (_is_word_char(text[end]) or text[end] in _COMMAND_FENCES):
        return None
    return end


def command_entities(text: str) -> tuple[Entity, ...]:
    """The ``bot_command`` entities Telegram attaches to a user's message, e.g. ``/start@bot``."""
    found: list[Entity] = []
    units = 0  # UTF-16 offset of text[index]
    index = 0
    while index < len(text):
        if text[index] == "/":
            end = _command_span(text, index)
            if end is not None:
                found.append(Entity("bot_command", units, end - index))
                units += end - index  # command characters are all ASCII
                index = end
                continue
        units += utf16_len(text[index])
        index += 1
    return tuple(found)


def _units_before(text: str) -> list[int]:
    """UTF-16 offset of every index of ``text`` (and of its end)."""
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return offsets


def _mention_spans(text: str) -> list[tuple[int, int]]:
    """``@username`` as TDLib finds it: 4-32 of ``[A-Za-z0-9_]`` (or a few short bot names)."""
    spans = []
    for at in (i for i, ch in enumerate(text) if ch == "@"):
        if at > 0 and _is_word_char(text[at - 1]):
            continue
        end = _run_end(text, at + 1)
        name = text[at + 1 : end]
        if not 2 <= len(name) <= _MENTION_MAX or (end < len(text) and _is_word_char(text[end])):
            continue
        if len(name) >= _MENTION_MIN or name.lower() in _SHORT_USERNAMES:
            spans.append((at, end))
    return spans


def _is_hashtag_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return (
        ch in _HASHTAG_EXTRA or "\u0d80" <= ch <= "\u0dff" or category[0] == "L" or category == "Nd"
    )


def _hashtag_spans(text: str) -> list[tuple[int, int]]:
    """``#tag`` as TDLib finds it: letters, digits and ``_``, with a letter, at most 256 kept."""
    spans = []
    for sign in (i for i, ch in enumerate(text) if ch == "#"):
        if sign > 0 and _is_hashtag_char(text[sign - 1]):
            continue
        end = sign + 1
        while end < len(text) and _is_hashtag_char(text[end]):
            end += 1
        kept = min(end, sign + 1 + _HASHTAG_MAX)
        has_letter = any(unicodedata.category(ch)[0] == "L" for ch in text[sign + 1 : kept])
        if kept > sign + 1 and has_letter and not (end < len(text) and text[end] == "#"):
            spans.append((sign, kept))
    return spans


def message_entities(text: str) -> tuple[Entity, ...]:
    """The entities Telegram detects in a user's plain text: bot commands, mentions, hashtags."""
    units = _units_before(text)
    found = list(command_entities(text))
    for kind, spans in (("mention", _mention_spans(text)), ("hashtag", _hashtag_spans(text))):
        found += [Entity(kind, units[a], units[b] - units[a]) for a, b in spans]
    return tuple(sorted(found, key=lambda e: e.offset))
