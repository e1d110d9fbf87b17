"""Handler: a typed answer to a question asked with buttons (the digest time, the time zone, the
day a pause ends).

The question's "other" button keeps what is awaited in the database
(:mod:`digestbot.bot.conversation`: any process may take the answer); the next plain text of that
user in that chat is the answer. This handler in group -1 takes it (raising
ApplicationHandlerStop) only while an answer is awaited, so other text goes on to search.
``/cancel`` or any command ends the wait; a wrong answer is explained and the wait goes on.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop, MessageHandler, filters

from digestbot import messages
from digestbot.bot.commands import parse_command
from digestbot.bot.context import Context
from digestbot.bot.conversation import awaited_answer, end_wait
from digestbot.bot.handlers.preferences import answer_schedule
from digestbot.bot.handlers.rhythm import answer_pause_end
from digestbot.bot.reader import Reader, load_reader
from digestbot.bot.views.preferences import SettingsAction
from digestbot.bot.views.rhythm import TYPE_PAUSE_DATA

__all__ = ["AWAITABLE", "on_reply", "register"]

# What a typed answer may answer: the value kept in the conversation state.
AWAITABLE = frozenset({SettingsAction.TIME.value, SettingsAction.TIME_ZONE.value, TYPE_PAUSE_DATA})


async def on_reply(update: Update, context: Context) -> None:
    """Group -1: take the awaited answer; /cancel or any command ends the wait."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or message.text is None or chat is None:
        return
    deps = context.deps
    user_id = message.from_user.id if message.from_user is not None else None
    awaited = await awaited_answer(deps, chat.id, user_id)
    awaiting = awaited if awaited in AWAITABLE else None
    parsed = parse_command(message.text)  # any command, whichever bot it names, ends the wait
    command = parsed[0] if parsed is not None else None
    if command is not None and command != "cancel":
        if awaited is not None:
            await end_wait(deps, chat.id, user_id)
        return
    if command is None and awaiting is None:
        return
    reader = await load_reader(update, deps)
    if reader is None:
        return
    if command == "cancel":
        if awaited is not None:
            await end_wait(deps, chat.id, user_id)
        done = messages.CANCELLED if awaiting is not None else messages.NOTHING_TO_CANCEL
        await message.reply_text(reader.tr.gettext(done), parse_mode=ParseMode.HTML)
    elif awaiting is not None and await _answer(update, context, reader, awaiting):
        await end_wait(deps, chat.id, user_id)
    raise ApplicationHandlerStop


async def _answer(update: Update, context: Context, reader: Reader, awaiting: str) -> bool:
    """Store the typed answer to ``awaiting``; False (and why) when it answers nothing."""
    message = update.effective_message
    if message is None:
        return False
    if awaiting == TYPE_PAUSE_DATA:
        return await answer_pause_end(context, reader, message)
    action = SettingsAction(awaiting)
    return await answer_schedule(update, context, reader, action, message.text or "")


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, on_reply), group=-1
    )
