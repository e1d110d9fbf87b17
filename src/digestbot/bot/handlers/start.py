"""Handlers: /start (greeting, subscription, deep links), /language and the ``lang:`` buttons."""

from __future__ import annotations

import re
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.conversation import greeting_message, remember_greeting
from digestbot.bot.deps import run_db
from digestbot.bot.edits import edit_pressed
from digestbot.bot.handlers.preferences import (
    ensure_profile,
    pressed_button,
    send_tags,
    subscribe_reader,
)
from digestbot.bot.handlers.read import send_article
from digestbot.bot.reader import load_reader
from digestbot.bot.views.preferences import schedule_text
from digestbot.bot.views.start import (
    LANGUAGE_BUTTONS,
    parse_language_data,
    render_greeting,
    render_language_choice,
)
from digestbot.chinese_script import choose_script
from digestbot.i18n import translator
from digestbot.store.subscribers import set_language

__all__ = ["register"]

_READ_LINK = re.compile(r"^read_(\d{1,18})$")


async def on_start(update: Update, context: Context) -> None:
    """Subscribe the chat, greet by name and offer the languages; ``read_<id>`` opens an article."""
    deps = context.deps
    reader = await load_reader(update, deps)
    message = update.effective_message
    if reader is None or message is None:
        return
    subscription = await subscribe_reader(deps, reader)
    link = _READ_LINK.match(context.args[0]) if context.args else None
    if link is not None:
        await send_article(context, reader, int(link[1]))
        return
    resubscribed = schedule_text(reader.tr, messages.SUBSCRIBED, subscription.profile)
    text, keyboard = render_greeting(
        reader.tr,
        reader.first_name,
        new=subscription.created,
        resubscribed=resubscribed if subscription.resubscribed else "",
        schedule=schedule_text(reader.tr, messages.GREETING_SCHEDULE, subscription.profile),
    )
    sent = await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    await remember_greeting(deps, reader.chat_id, sent.message_id)


async def on_language(update: Update, context: Context) -> None:
    """/language: the three language buttons (简体中文, 繁體中文, English)."""
    reader = await load_reader(update, context.deps)
    if reader is not None and update.effective_message is not None:
        text, keyboard = render_language_choice(reader.tr)
        await update.effective_message.reply_text(text, reply_markup=keyboard)


async def on_language_chosen(update: Update, context: Context) -> None:
    """A language button: store the choice, confirm in the new language; tags after /start."""
    pressed = await pressed_button(update, context, parse_language_data)
    if pressed is None:
        return
    query, reader, (lang, traditional) = pressed
    deps = context.deps
    await ensure_profile(deps, reader)
    script = reader.script
    if traditional is not None:
        script = choose_script(traditional, reader.script, reader.language_code)
    await run_db(deps, lambda session: set_language(session, reader.chat_id, lang, script))
    tr = translator(lang, script)
    await edit_pressed(context.shown, query, tr.gettext(messages.LANGUAGE_CHOSEN))
    await query.answer(tr.gettext(messages.LANGUAGE_CHOSEN))
    if (
        query.message is not None
        and await greeting_message(deps, reader.chat_id) == query.message.message_id
    ):
        await send_tags(context, reader.chat_id, tr)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CommandHandler("language", on_language))
    application.add_handler(CallbackQueryHandler(on_language_chosen, pattern=LANGUAGE_BUTTONS))
