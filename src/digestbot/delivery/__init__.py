"""Delivery: the outbox sender, its pacing, and the jobs that plan, send and rescan in the bot."""

from digestbot.delivery.sender import DrainReport, OutboxSender, SenderError, wake_sender

__all__ = ["DrainReport", "OutboxSender", "SenderError", "wake_sender"]
