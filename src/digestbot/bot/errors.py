"""The one error handler: log first (never the token), then tell the reader in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from digestbot import messages
from digestbot.bot.commands import parse_command
from digestbot.bot.context import Context
from digestbot.bot.reader import load_reader
from digestbot.i18n import lang_from_telegram, translator
from digestbot.messages import COMMANDS

__all__ = ["handler_label", "on_error"]

_KNOWN_COMMANDS = frozenset(name for name, _ in COMMANDS) | {"stats", "alerts"}

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its traceback and answer the reader with a short apology."""
    log.error("error while handling an update", exc_info=context.error)
    context.metrics.handler_errors.labels(handler_label(update)).inc()
    if not isinstance(update, Update):
        return
    tr = translator(lang_from_telegram(None, context.deps.settings.reader.default_language))
    try:
        reader = await load_reader(update, context.deps)
        if reader is not None:
            tr = reader.tr
    except Exception:  # the store may be what failed; fall back to the default language
        log.warning("could not load the reader's language for the error reply", exc_info=True)
    text = tr.gettext(messages.ERROR_GENERIC)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text)
        elif update.effective_chat is not None and update.inline_query is None:
            await context.bot.send_message(update.effective_chat.id, text)
    except Forbidden:
        log.info("could not tell chat about the error: the bot is blocked")
    except TelegramError:
        log.warning("could not tell the reader about the error", exc_info=True)


def handler_label(update: object) -> str:
    """A bounded label for what was being handled: a known command's name, ``command`` for
    another, ``button``, ``inline``, ``message``, or ``job`` (no update)."""
    if not isinstance(update, Update):
        return "job"
    if update.callback_query is not None:
        return "button"
    if update.inline_query is not None:
        return "inline"
    message = update.effective_message
    parsed = parse_command(message.text or "") if message is not None else None
    if parsed is None:
        return "message"
    return parsed[0] if parsed[0] in _KNOWN_COMMANDS else "command"
