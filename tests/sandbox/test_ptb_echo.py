"""A real python-telegram-bot 22 Application against the emulator over HTTP: polling, webhook."""

from __future__ import annotations

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from digestbot.sandbox.emulator import Emulator
from tests.support.sandbox import FakeClock, PtbApp, build_ptb_app, polling, webhook


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with a button."""
    message = update.effective_message
    if message is None:
        return
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more")]])
    await message.reply_html("<b>Hello</b> there", reply_markup=keyboard)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text back."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(f"echo: {message.text}")


async def on_more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and edit the message."""
    query = update.callback_query
    if query is None:
        return
    await query.answer("Loading more")
    await query.edit_message_text("More <i>things</i>", parse_mode="HTML")


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer one article for the query."""
    query = update.inline_query
    if query is None:
        return
    result = InlineQueryResultArticle(
        "1", f"About {query.query}", InputTextMessageContent(query.query)
    )
    await query.answer([result], cache_time=0)


def add_echo_handlers(app: PtbApp) -> None:
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CallbackQueryHandler(on_more, pattern="^more$"))
    app.add_handler(InlineQueryHandler(on_inline))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))


async def converse(emulator: Emulator) -> None:
    """The same conversation in either mode: command, button, inline query, plain text."""
    driver = emulator.driver
    driver.create_user(42, "Ann", "ann", "en")
    driver.send_text(42, f"/start@{emulator.state.bot_user['username']}")
    greeting = await driver.next_bot_message(42)
    assert greeting["text"] == "Hello there"
    assert greeting["html"] == "<b>Hello</b> there"
    assert greeting["reply_markup"] == {
        "inline_keyboard": [[{"text": "More", "callback_data": "more"}]]
    }

    update = driver.press_button(42, greeting["message_id"], "more")
    answer = await driver.callback_answer(update["callback_query"]["id"])
    assert answer["text"] == "Loading more"
    edited = await driver.wait_for(
        lambda: next((m for m in driver.transcript(42) if m["edited"]), None)
    )
    assert edited["html"] == "More <i>things</i>"
    assert edited["reply_markup"] is None

    inline = driver.send_inline_query(42, "rice")
    results = await driver.inline_answer(inline["inline_query"]["id"])
    assert results["results"][0]["title"] == "About rice"

    driver.send_text(42, "hi 你好 🙂")
    echo = await driver.next_bot_message(42)
    assert echo["text"] == "echo: hi 你好 🙂"


async def test_polling_mode_echo_bot(emulator: Emulator, ptb_app: PtbApp) -> None:
    add_echo_handlers(ptb_app)
    async with polling(ptb_app):
        await converse(emulator)


async def test_webhook_mode_echo_bot(emulator: Emulator, ptb_app: PtbApp) -> None:
    add_echo_handlers(ptb_app)
    async with webhook(ptb_app) as url:
        info = await ptb_app.bot.get_webhook_info()
        assert info.url == url
        await converse(emulator)


async def test_ptb_exceptions_carry_telegram_texts() -> None:
    async with Emulator(clock=FakeClock()) as emulator, build_ptb_app(emulator) as ptb_app:
        await check_exceptions(emulator, ptb_app)


async def check_exceptions(emulator: Emulator, ptb_app: PtbApp) -> None:
    """Each refusal reaches python-telegram-bot as the exception and text Telegram causes."""
    driver = emulator.driver
    driver.create_user(7, "Bo")
    bot = ptb_app.bot
    with pytest.raises(Forbidden) as never_wrote:
        await bot.send_message(7, "hi")
    assert never_wrote.value.message == "Forbidden: bot can't initiate conversation with a user"
    driver.send_text(7, "/start")
    driver.block(7)
    with pytest.raises(Forbidden) as blocked:
        await bot.send_message(7, "hi")
    assert blocked.value.message == "Forbidden: bot was blocked by the user"
    driver.unblock(7)
    with pytest.raises(BadRequest) as unknown:
        await bot.send_message(999, "hi")
    assert unknown.value.message == "Chat not found"  # PTB strips "Bad Request: " and capitalises
    with pytest.raises(BadRequest) as html:
        await bot.send_message(7, "<foo>", parse_mode="HTML")
    assert html.value.message == (
        'Can\'t parse entities: unsupported start tag "foo" at byte offset 0'
    )
    for n in range(3):  # the burst a private chat tolerates
        await bot.send_message(7, f"n{n}")
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(7, "one too many")
    assert flood.value.message == "Flood control exceeded. Retry in 1 seconds"
