"""The bot edits a pressed message only when the edit changes what it shows, also when the same
button is pressed twice before the first edit is made (the second press carries the message as
it was)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
)
from telegram.error import BadRequest, NetworkError, TimedOut

from digestbot.bot.edits import ShownMessages, View, edit_pressed, needs_edit, shows_already
from digestbot.sandbox.html import parse_html
from tests.support.bot import ANN, BotHarness

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


def view(text: str) -> View:
    return View((text, frozenset()), None)


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40), st.text(max_size=3))))
def test_shown_messages_keep_the_last_view_of_the_most_recent_messages(
    puts: list[tuple[int, int, str]],
) -> None:
    shown = ShownMessages(size=8)
    last: dict[tuple[int, int], str] = {}
    for chat, message, text in puts:
        shown.put(chat, message, view(text))
        last.pop((chat, message), None)
        last[(chat, message)] = text  # (insertion order: least recently edited first)
    assert len(shown) == min(8, len(last))
    for (chat, message), text in list(last.items())[-8:]:
        assert shown.get(chat, message) == view(text)
    for chat, message in list(last)[:-8]:
        assert shown.get(chat, message) is None


@given(st.text(max_size=3), st.text(max_size=3), st.text(max_size=3))
def test_what_the_bot_remembers_wins_over_the_pressed_copy(
    remembered: str, carried: str, wanted: str
) -> None:
    assert needs_edit(view(remembered), view(carried), view(wanted)) is (remembered != wanted)
    assert needs_edit(None, view(carried), view(wanted)) is (carried != wanted)
    assert needs_edit(None, None, view(wanted))


def test_forgetting_a_message() -> None:
    shown = ShownMessages()
    shown.put(1, 2, view("a"))
    shown.put(1, 2, None)
    assert shown.get(1, 2) is None
    assert len(shown) == 0


async def test_a_double_press_makes_one_edit_and_no_refused_request(bot: BotHarness) -> None:
    """Both presses are queued before the bot sees either; the harness fails the test if the
    emulator refused any request (an edit to the same content: "message is not modified")."""
    await bot.say(ANN, "/start")
    question = await bot.say(ANN, "/language")
    first = bot.driver.press_button(ANN, question["message_id"], "lang:zh")
    second = bot.driver.press_button(ANN, question["message_id"], "lang:zh")
    for update in (first, second):
        await bot.driver.callback_answer(update["callback_query"]["id"])
    assert bot.message(ANN, question["message_id"])["text"] == "好的，之后我会用中文和你交流。"
    edits = [r for r in bot.requests() if r["method"] == "editMessageText"]
    assert len(edits) == 1


class SlowQuery:
    """A pressed button's query whose edits reach Telegram but whose answers may be lost: the
    network boundary, faked (``raising`` is raised by the next edit, after it is counted)."""

    def __init__(self, message: Message) -> None:
        self.message = message
        self.edits = 0
        self.raising: BaseException | None = None

    async def edit_message_text(self, *args: object, **kwargs: object) -> None:
        self.edits += 1
        raising, self.raising = self.raising, None
        if raising is not None:
            raise raising


async def test_an_edit_that_timed_out_is_not_made_again() -> None:
    """Telegram applied it and only the answer was lost: the same edit again would be refused
    ("message is not modified"), so the bot remembers it as made."""
    remembered = ShownMessages()
    query = SlowQuery(shown("<b>Tags</b> before"))
    query.raising = TimedOut()
    with pytest.raises(TimedOut):
        await edit_pressed(remembered, cast(CallbackQuery, query), "<b>Tags</b> after", KEYBOARD)
    assert remembered.get(7, 1) is not None
    await edit_pressed(remembered, cast(CallbackQuery, query), "<b>Tags</b> after", KEYBOARD)
    assert query.edits == 1
    await edit_pressed(remembered, cast(CallbackQuery, query), "<b>Tags</b> later", KEYBOARD)
    assert query.edits == 2


@pytest.mark.parametrize(
    "error", [NetworkError("connection reset"), BadRequest("Message to edit not found")]
)
async def test_an_edit_that_failed_is_forgotten_and_made_again(error: Exception) -> None:
    remembered = ShownMessages()
    query = SlowQuery(shown("<b>Tags</b> before"))
    query.raising = error
    with pytest.raises(type(error)):
        await edit_pressed(remembered, cast(CallbackQuery, query), "<b>Tags</b> after", KEYBOARD)
    assert remembered.get(7, 1) is None
    await edit_pressed(remembered, cast(CallbackQuery, query), "<b>Tags</b> after", KEYBOARD)
    assert query.edits == 2
