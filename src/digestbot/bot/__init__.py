"""The Telegram bot: python-telegram-bot Application, thin handlers over the store and views."""

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps

__all__ = ["BotDeps", "build_application"]
