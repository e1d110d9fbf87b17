"""The bot edits a pressed message only when the edit changes what it shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity

from digestbot.bot.edits import shows_already
from digestbot.sandbox.html import parse_html

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("✓ world", callback_data="t:1")]])


def shown(html: str, keyboard: InlineKeyboardMarkup | None = KEYBOARD) -> Message:
    """The message as Telegram holds it after the bot sent ``html`` (the sandbox's parser)."""
    formatted = parse_html(html)
    entities = [MessageEntity.de_json(e.to_dict(), None) for e in formatted.entities]
    return Message(
        1,
        datetime(2026, 1, 1, tzinfo=UTC),
        Chat(7, Chat.PRIVATE),
        text=formatted.text,
        entities=[e for e in entities if e is not None],
        reply_markup=keyboard,
    )


HTML = [
    "<b>Tags</b>\nPick what you follow.",
    '  <strong>粗体</strong> &amp; <a href="https://example.com/a?b=1&amp;c=2">link</a>  ',
    "<i>one</i> <u>two</u> <s>three</s> <code>x &lt; y</code>\n<pre>block</pre>",
    "<blockquote>quoted</blockquote> plain &quot;text&quot;",
]


@pytest.mark.parametrize("html", HTML)
def test_the_same_text_and_keyboard_need_no_edit(html: str) -> None:
    assert shows_already(shown(html), html, KEYBOARD)


@pytest.mark.parametrize("html", HTML)
def test_other_text_formatting_or_keyboard_is_edited(html: str) -> None:
    message = shown(html)
    assert not shows_already(message, html + " more", KEYBOARD)
    assert not shows_already(message, html.replace("<", "<i>", 1).replace(">", "</i>", 0), None)
    other = InlineKeyboardMarkup([[InlineKeyboardButton("world", callback_data="t:1")]])
    assert not shows_already(message, html, other)
    assert not shows_already(shown(html, None), html, KEYBOARD)


def test_a_change_of_formatting_alone_is_edited() -> None:
    assert not shows_already(shown("<b>Tags</b> here"), "<i>Tags</i> here", KEYBOARD)
    assert not shows_already(shown("<b>Tags</b> here"), "<b>Tags here</b>", KEYBOARD)
    link = '<a href="https://example.com/1">x</a>'
    assert not shows_already(shown(link), link.replace("/1", "/2"), KEYBOARD)
