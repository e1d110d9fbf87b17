"""In a group, only its admins change the group's digest settings.

A group subscribes as one reader: its language, tags, time and subscription belong to everyone in
it, so the commands and buttons that change them are for the group's owner and administrators
(Telegram's ``getChatAdministrators``, kept for a minute per group), for a message an anonymous
admin sends as the group, and for the bot's own admins. Anyone else gets a short answer; reading
commands (/search, /read, /digest, /help) stay open to every member.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from digestbot import messages
from digestbot.bot.commands import command_for
from digestbot.bot.context import Context
from digestbot.bot.conversation import LIFETIMES, Kept, cache_group_admins, cached_group_admins
from digestbot.bot.reader import load_reader
from digestbot.bot.views.preferences import SCHEDULE_BUTTONS, SETTINGS_BUTTONS, TAG_BUTTONS
from digestbot.bot.views.start import LANGUAGE_BUTTONS

__all__ = [
    "ADMINS_CACHE_SECONDS",
    "CHANGING_BUTTONS",
    "CHANGING_COMMANDS",
    "register",
]

# /settings too: it subscribes a chat that has no settings yet, and its buttons change them.
CHANGING_COMMANDS = frozenset({"start", "language", "tags", "subscribe", "unsubscribe", "settings"})
CHANGING_BUTTONS = "|".join((LANGUAGE_BUTTONS, TAG_BUTTONS, SETTINGS_BUTTONS, SCHEDULE_BUTTONS))
ADMINS_CACHE_SECONDS = LIFETIMES[Kept.GROUP_ADMINS].total_seconds()
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
HANDLER_GROUP = -2  # before every other handler, the pending-answer one (-1) included
_log = logging.getLogger(__name__)


async def _group_admins(context: Context, chat_id: int) -> frozenset[int]:
    cached = await cached_group_admins(context.deps, chat_id)
    if cached is not None:
        return cached
    members = await context.bot.get_chat_administrators(chat_id)
    admins = frozenset(member.user.id for member in members)
    await cache_group_admins(context.deps, chat_id, admins)
    return admins


async def _may_change(update: Update, context: Context) -> bool | None:
    """Whether the sender may change the chat's settings; None when Telegram cannot say."""
    chat = update.effective_chat
    user = update.effective_user
    message = update.effective_message
    if chat is None or chat.type not in _GROUPS:
        return True
    if context.deps.is_admin(user.id if user is not None else None):
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # an anonymous admin, writing as the group
    if user is None:
        return False
    try:
        return user.id in await _group_admins(context, chat.id)
    except TelegramError as exc:  # cannot tell: leave the settings as they are
        _log.warning("cannot list the admins of group %s: %s", chat.id, exc)
        return None


async def _deny(update: Update, context: Context, allowed: bool | None) -> None:
    reader = await load_reader(update, context.deps)
    assert reader is not None  # a group update has its chat
    # None: the admin list could not be had; whoever asked may be an admin, so "try again".
    message = messages.GROUP_ADMINS_ONLY if allowed is False else messages.ERROR_GENERIC
    text = reader.tr.gettext(message)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def on_group_command(update: Update, context: Context) -> None:
    """A settings command in a group from someone who is not its admin: say so, stop there."""
    message = update.effective_message
    name = command_for(message.text or "", context.bot.username or "") if message else None
    if name not in CHANGING_COMMANDS:
        return
    allowed = await _may_change(update, context)
    if allowed:
        return
    await _deny(update, context, allowed)
    raise ApplicationHandlerStop


async def on_group_button(update: Update, context: Context) -> None:
    """A settings button in a group pressed by someone who is not its admin."""
    allowed = await _may_change(update, context)
    if allowed:
        return
    await _deny(update, context, allowed)
    raise ApplicationHandlerStop


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the group checks ahead of every other handler."""
    application.add_handler(
        MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, on_group_command),
        group=HANDLER_GROUP,
    )
    application.add_handler(
        CallbackQueryHandler(on_group_button, pattern=CHANGING_BUTTONS), group=HANDLER_GROUP
    )
