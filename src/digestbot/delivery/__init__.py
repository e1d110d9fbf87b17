"""Delivery: the outbox sender, its pacing and transport, one tick, one whole send.

The bot runs them through :class:`digestbot.bot.runtime.Runtime`.
"""

from digestbot.delivery.outcomes import DrainReport
from digestbot.delivery.sender import OutboxSender, SenderError
from digestbot.delivery.tick import SendReport, plan_tick, send_once, standalone_bot
from digestbot.delivery.transport import KeepAliveRequest, OutboxBot

__all__ = [
    "DrainReport",
    "KeepAliveRequest",
    "OutboxBot",
    "OutboxSender",
    "SendReport",
    "SenderError",
    "plan_tick",
    "send_once",
    "standalone_bot",
]
