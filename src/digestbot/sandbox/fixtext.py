"""What TDLib does to a text after parsing: explicit entities read and clipped, blanks trimmed.

Telegram trims a bot's message text: trailing whitespace always, and leading spaces and newlines up
to the first entity; entities are cut to the trimmed text. Entities the Bot API server would add
itself (url, mention, hashtag, bot_command in the bot's own text) are not emulated.
"""

from __future__ import annotations

from typing import Any

from digestbot.sandbox.entities import Entity, FormattedText, utf16_len
from digestbot.sandbox.errors import bad_request

__all__ = ["ENTITY_TYPES", "explicit_entities", "trim_text"]

ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)
_REQUIRED_ARGUMENT = {"text_link": "url", "custom_emoji": "custom_emoji_id"}


def _clip(entity: Entity, start: int, end: int) -> Entity | None:
    """The entity cut to UTF-16 range [start, end), or None when nothing is left."""
    lo, hi = max(entity.offset, start), min(entity.offset + entity.length, end)
    if hi <= lo:
        return None
    return Entity(entity.type, lo, hi - lo, entity.url, entity.language, entity.custom_emoji_id)


def _check_entity(entity: Entity) -> None:
    if entity.type not in ENTITY_TYPES:
        raise bad_request("can't parse MessageEntity: Unsupported type specified")
    argument = _REQUIRED_ARGUMENT.get(entity.type)
    if argument is not None and getattr(entity, argument) is None:
        raise bad_request(f"can't parse MessageEntity: Can't find field \"{argument}\"")


def explicit_entities(raw: list[Any], text: str) -> tuple[Entity, ...]:
    """Entities sent as ``entities``: each must be an object; parts outside the text are cut."""
    size = utf16_len(text)
    found: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse MessageEntity: expected an Object")
        try:
            entity = Entity.from_dict(item)
        except KeyError as missing:
            field = missing.args[0]
            raise bad_request(f"can't parse MessageEntity: Can't find field \"{field}\"") from None
        except (TypeError, ValueError):
            raise bad_request("can't parse MessageEntity: wrong field type") from None
        _check_entity(entity)
        clipped = _clip(entity, 0, size)
        if clipped is not None:
            found.append(clipped)
    return tuple(sorted(found, key=lambda e: (e.offset, -e.length)))


def trim_text(fmt: FormattedText) -> FormattedText:
    """Trim as TDLib does for a sent message; the text may become empty."""
    text = fmt.text.rstrip()
    end = utf16_len(text)
    entities = [c for e in fmt.entities if (c := _clip(e, 0, end)) is not None]
    first = min((e.offset for e in entities), default=end)
    lead = 0
    while lead < first and text[lead] in " \n":  # both are one UTF-16 unit
        lead += 1
    shifted = tuple(
        Entity(e.type, e.offset - lead, e.length, e.url, e.language, e.custom_emoji_id)
        for e in entities
    )
    return FormattedText(text[lead:], shifted)
