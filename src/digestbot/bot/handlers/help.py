"""Handler: /help, what each command does in the reader's language."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler

from digestbot.bot.context import Context
from digestbot.bot.reader import load_reader
from digestbot.bot.views.help import render_help

__all__ = ["register"]


async def on_help(update: Update, context: Context) -> None:
    """/help: every command with a one-line description."""
    reader = await load_reader(update, context.deps)
    if reader is not None and update.effective_message is not None:
        await update.effective_message.reply_text(render_help(reader.tr), parse_mode=ParseMode.HTML)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("help", on_help))
