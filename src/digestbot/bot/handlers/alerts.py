"""Handler: /alerts for administrators: whether alerts reach them, ``/alerts off`` and ``on``.

Alerts (:mod:`digestbot.monitoring.alerts`) go to each admin's private chat, so the command is
answered there only; a mute is stored (:mod:`digestbot.store.alert_mutes`) and holds across
restarts and for every bot process.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import Application, CommandHandler

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.deps import run_db
from digestbot.bot.reader import load_reader
from digestbot.store.alert_mutes import is_muted, set_muted

__all__ = ["register"]

_SWITCHES = {"on": False, "off": True}  # the argument: muted or not


async def on_alerts(update: Update, context: Context) -> None:
    """/alerts [on|off]: show or change whether alerts reach this admin."""
    deps = context.deps
    reader = await load_reader(update, deps)
    message = update.effective_message
    chat = update.effective_chat
    if reader is None or message is None or chat is None:
        return
    user_id = reader.user_id
    if user_id is None or not deps.is_admin(user_id):
        await message.reply_text(reader.tr.gettext(messages.ADMIN_ONLY))
        return
    if chat.type != ChatType.PRIVATE:
        await message.reply_text(reader.tr.gettext(messages.ALERTS_PRIVATE_ONLY))
        return
    args = [arg.lower() for arg in context.args or []]
    if len(args) > 1 or (args and args[0] not in _SWITCHES):
        usage = reader.tr.gettext(messages.ALERTS_USAGE)
        await message.reply_text(usage, parse_mode=ParseMode.HTML)
        return
    if args:
        muted = _SWITCHES[args[0]]
        now = deps.clock()
        await run_db(deps, lambda s: set_muted(s, user_id, muted, now=now))
    else:
        muted = await run_db(deps, lambda s: is_muted(s, user_id))
    text = reader.tr.gettext(messages.ALERTS_ARE_OFF if muted else messages.ALERTS_ARE_ON)
    await message.reply_text(text, parse_mode=ParseMode.HTML)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("alerts", on_alerts))
