"""Handlers tried last: unknown commands get a hint to /help; any other button has expired."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from digestbot import messages
from digestbot.bot.commands import command_for
from digestbot.bot.context import Context
from digestbot.bot.reader import load_reader

__all__ = ["register"]


async def on_unknown_command(update: Update, context: Context) -> None:
    """A command no other handler took: point the reader to /help."""
    message = update.effective_message
    if message is None or command_for(message.text or "", context.bot.username or "") is None:
        return  # another bot's command (groups with several bots)
    reader = await load_reader(update, context.deps)
    if reader is not None:
        await message.reply_text(reader.tr.gettext(messages.UNKNOWN_COMMAND))


async def on_unknown_button(update: Update, context: Context) -> None:
    """A button no other handler took (an old message, a removed feature): it has expired."""
    query = update.callback_query
    if query is None:
        return
    reader = await load_reader(update, context.deps)
    await query.answer(reader.tr.gettext(messages.BUTTON_EXPIRED) if reader is not None else None)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application`` (after every other module's)."""
    application.add_handler(MessageHandler(filters.COMMAND, on_unknown_command))
    application.add_handler(CallbackQueryHandler(on_unknown_button))
