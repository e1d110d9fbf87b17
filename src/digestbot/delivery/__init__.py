"""Delivery: the outbox sender, its pacing and transport, and the jobs that plan, send and rescan.

The bot's jobs are in :mod:`digestbot.delivery.jobs` (not imported here: it needs the bot).
"""

from digestbot.delivery.outcomes import DrainReport
from digestbot.delivery.sender import OutboxSender, SenderError, wake_sender
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
    "wake_sender",
]
