"""The one error handler: log first (never the token), then tell the reader in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from digestbot import messages
from digestbot.bot.commands import parse_command
from digestbot.bot.context import Context
from digestbot.bot.reader import load_reader
from digestbot.chinese_script import script_from_telegram
from digestbot.i18n import Translator, lang_from_telegram, translator
from digestbot.messages import COMMANDS
from digestbot.store.health import is_outage

__all__ = ["handler_label", "on_error"]

_KNOWN_COMMANDS = frozenset(name for name, _ in COMMANDS) | {"stats", "alerts"}

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its traceback and answer the reader with a short apology.

    While the database is away, the failure is not a bug: the outage is logged once (by
    ``deps.health``), and readers are asked to try again shortly in their Telegram language
    (their stored one cannot be read)."""
    label = handler_label(update)
    outage = is_outage(context.error)
    if outage and context.error is not None:
        context.deps.health.failed(context.error, label)
    else:
        log.error("error while handling an update", exc_info=context.error)
    context.metrics.handler_errors.labels(label).inc()
    if not isinstance(update, Update):
        return
    if outage:
        text = _telegram_translator(update, context).gettext(messages.ERROR_STORE_AWAY)
    else:
        text = (await _reader_translator(update, context)).gettext(messages.ERROR_GENERIC)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text)
        elif update.effective_chat is not None and update.inline_query is None:
            await context.bot.send_message(update.effective_chat.id, text)
    except Forbidden:
        log.info("could not tell chat about the error: the bot is blocked")
    except TelegramError:
        log.warning("could not tell the reader about the error", exc_info=True)


def _telegram_translator(update: Update, context: Context) -> Translator:
    """The translator for the user's Telegram ``language_code`` (language and script)."""
    user = update.effective_user
    code = user.language_code if user is not None else None
    lang = lang_from_telegram(code, context.deps.settings.reader.default_language)
    return translator(lang, script_from_telegram(code))


async def _reader_translator(update: Update, context: Context) -> Translator:
    """The reader's own language when the store can tell it, else their Telegram language."""
    try:
        reader = await load_reader(update, context.deps)
        if reader is not None:
            return reader.tr
    except Exception:  # the store may be what failed
        log.warning("could not load the reader's language for the error reply", exc_info=True)
    return _telegram_translator(update, context)


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
