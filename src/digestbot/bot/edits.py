"""Editing the message a reader pressed a button on, only when the edit changes something.

Telegram refuses an edit to the same text, formatting and keyboard ("message is not modified"), so
the bot compares first: the visible text and the formatted spans of the new HTML against those of
the message the button sits on, and the keyboards. Two quick presses both carry the message as it
was before either edit, so the refusal can still come; it is taken as done.
"""

from __future__ import annotations

import html

from telegram import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from digestbot.render.telegram_html import parse_html

__all__ = ["edit_pressed", "shows_already"]

# Tags Telegram treats as one entity type, by the name PTB writes back in ``Message.text_html``.
_SAME_ENTITY = {"strong": "b", "em": "i", "ins": "u", "strike": "s", "del": "s"}

_WITH_ATTRIBUTES = frozenset({"a", "pre", "code", "span", "tg-emoji", "blockquote"})
_Content = tuple[str, frozenset[tuple[str, str, int, int]]]


def _content(source: str) -> _Content | None:
    """What Telegram compares: the text (trimmed, as it stores it) and each formatted span
    (entity type, its tag's attributes, start, end); None if ``source`` cannot be read."""
    try:
        parsed = parse_html(source)
    except ValueError:
        return None
    lead = len(parsed.text) - len(parsed.text.lstrip())
    open_tags: list[tuple[str, str, int]] = []
    spans: set[tuple[str, str, int, int]] = set()
    for event in parsed.events:
        name = _SAME_ENTITY.get(event.name, event.name)
        if event.is_open:
            raw = event.raw if name in _WITH_ATTRIBUTES else ""
            open_tags.append((name, html.unescape(raw).replace("'", '"'), event.offset - lead))
        else:
            opened, raw, start = open_tags.pop()
            spans.add((opened, raw, start, event.offset - lead))
    return parsed.text.strip(), frozenset(spans)


def shows_already(message: Message, html: str, keyboard: InlineKeyboardMarkup | None) -> bool:
    """Whether ``message`` already shows ``html`` with ``keyboard`` (an edit would be refused)."""
    if message.text is None or message.reply_markup != keyboard:
        return False
    new = _content(html)
    return new is not None and new == _content(message.text_html)


async def edit_pressed(
    query: CallbackQuery,
    html: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    link_preview_options: LinkPreviewOptions | None = None,
) -> None:
    """Edit the pressed message to ``html`` and ``keyboard`` unless it shows them already."""
    message = query.message
    if isinstance(message, Message) and shows_already(message, html, keyboard):
        return
    try:
        await query.edit_message_text(
            html,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            link_preview_options=link_preview_options,
        )
    except BadRequest as error:
        if "not modified" not in error.message:  # two presses raced: the first edit did it
            raise
