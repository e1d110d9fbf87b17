"""Handler: /help, what each command does in the reader's language."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.reader import Reader, load_reader
from digestbot.bot.views.help import render_help
from digestbot.bot.views.preferences import schedule_text
from digestbot.store.models import SubscriberState

__all__ = ["digest_schedule", "register"]


def digest_schedule(reader: Reader, message: str) -> str:
    """``message`` saying when a subscribed reader's digest comes; empty for anyone else."""
    profile = reader.profile
    if profile is None or profile.state is not SubscriberState.ACTIVE:
        return ""
    return schedule_text(reader.tr, message, profile)


async def on_help(update: Update, context: Context) -> None:
    """/help: every command with a one-line description, and when the reader's digest comes."""
    reader = await load_reader(update, context.deps)
    if reader is not None and update.effective_message is not None:
        text = render_help(reader.tr, digest_schedule(reader, messages.HELP_SCHEDULE))
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("help", on_help))
