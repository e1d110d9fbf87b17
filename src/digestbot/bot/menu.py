"""The command menu Telegram shows, registered once per language with ``setMyCommands``."""

from __future__ import annotations

import asyncio

from telegram import Bot, BotCommand

from digestbot.i18n import translator
from digestbot.messages import COMMANDS
from digestbot.model import Lang

__all__ = ["command_menu", "register_command_menus"]


def command_menu(lang: Lang) -> list[BotCommand]:
    """The menu in ``lang``: English command names, localized descriptions."""
    tr = translator(lang)
    return [BotCommand(name, tr.gettext(description)) for name, description in COMMANDS]


async def register_command_menus(bot: Bot) -> None:
    """English as the default menu, Chinese for clients whose language is Chinese (both calls at
    once: on a slow link the start waits for one round trip, not two)."""
    await asyncio.gather(
        bot.set_my_commands(command_menu(Lang.EN)),
        bot.set_my_commands(command_menu(Lang.ZH), language_code="zh"),
    )
