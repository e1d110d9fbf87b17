"""Editing the message a reader pressed a button on, only when the edit changes something.

Telegram refuses an edit to the same text, formatting and keyboard ("message is not modified"), so
the bot compares first: the visible text and the formatted spans of the new HTML against those of
the message, and the keyboards. A press carries the message as it was when pressed, so two quick
presses would both see it before either edit; :class:`ShownMessages` remembers what the bot last
made each message show (set before the edit is sent), and that is compared instead. An edit that
fails is forgotten again, but one that timed out is kept: Telegram may well have applied it, and
an identical edit would be refused as "not modified" (one that it did not apply shows the old
content until the next press that changes something).
"""

from __future__ import annotations

import html
from collections import OrderedDict
from typing import NamedTuple

from telegram import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TimedOut

from digestbot.render.telegram_html import parse_html

__all__ = ["SHOWN_MESSAGES", "ShownMessages", "View", "edit_pressed", "needs_edit", "shows_already"]

SHOWN_MESSAGES = 1024  # messages whose last edit the bot remembers (the oldest is forgotten)

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


class View(NamedTuple):
    """What a message shows, as Telegram compares it: content (text and spans) and keyboard."""

    content: _Content
    keyboard: InlineKeyboardMarkup | None


def needs_edit(remembered: View | None, carried: View | None, wanted: View) -> bool:
    """Whether a message must be edited to show ``wanted``: what the bot remembers it made the
    message show wins over the (possibly older) copy the press carried."""
    known = remembered if remembered is not None else carried
    return known != wanted


class ShownMessages:
    """What the bot last made each message show, per (chat, message), for the last ``size``
    messages it edited: bounded, the least recently edited forgotten first."""

    def __init__(self, size: int = SHOWN_MESSAGES) -> None:
        self._size = size
        self._views: OrderedDict[tuple[int, int], View] = OrderedDict()

    def __len__(self) -> int:
        return len(self._views)

    def get(self, chat_id: int, message_id: int) -> View | None:
        """What the message was last edited to show, if remembered."""
        return self._views.get((chat_id, message_id))

    def put(self, chat_id: int, message_id: int, view: View | None) -> None:
        """Remember ``view`` for the message (None: forget it)."""
        key = (chat_id, message_id)
        self._views.pop(key, None)
        if view is None:
            return
        self._views[key] = view
        while len(self._views) > self._size:
            self._views.popitem(last=False)


def _view_of(message: Message) -> View | None:
    if message.text is None:
        return None
    content = _content(message.text_html)
    return None if content is None else View(content, message.reply_markup)


def shows_already(message: Message, html: str, keyboard: InlineKeyboardMarkup | None) -> bool:
    """Whether ``message`` already shows ``html`` with ``keyboard`` (an edit would be refused)."""
    if message.text is None or message.reply_markup != keyboard:
        return False
    new = _content(html)
    return new is not None and new == _content(message.text_html)


async def edit_pressed(
    shown: ShownMessages,
    query: CallbackQuery,
    html: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    link_preview_options: LinkPreviewOptions | None = None,
) -> None:
    """Edit the pressed message to ``html`` and ``keyboard`` unless it shows them already."""
    message = query.message
    content = _content(html)
    key: tuple[int, int] | None = None
    before: View | None = None
    if isinstance(message, Message) and content is not None:
        key = (message.chat.id, message.message_id)
        before = shown.get(*key)
        wanted = View(content, keyboard)
        if not needs_edit(before, _view_of(message), wanted):
            return
        shown.put(*key, wanted)  # before the request: a second press sees it at once
    try:
        await query.edit_message_text(
            html,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            link_preview_options=link_preview_options,
        )
    except BadRequest as error:
        if "not modified" in error.message:  # it shows them already: done
            return
        if key is not None:
            shown.put(*key, before)
        raise
    except TimedOut:  # Telegram may have applied it: an identical edit would be refused
        raise
    except BaseException:
        if key is not None:
            shown.put(*key, before)
        raise
