"""Handler: /stats for administrators (ids in the config); others get a polite refusal."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.deps import run_db
from digestbot.bot.reader import load_reader
from digestbot.bot.views.stats import StoreFigures, delivery_line, render_stats, store_lines
from digestbot.delivery.tick import sender_clock
from digestbot.store.articles import count_articles
from digestbot.store.outbox import delivery_counts
from digestbot.store.subscribers import subscriber_counts, tag_catalog

__all__ = ["register", "store_figures"]


def store_figures(session: Session) -> StoreFigures:
    """Subscribers, articles and tags as the store counts them now."""
    return StoreFigures(
        subscriber_counts(session), count_articles(session), len(tag_catalog(session))
    )


async def on_stats(update: Update, context: Context) -> None:
    """/stats: the figures for admins, ``ADMIN_ONLY`` for everyone else."""
    deps = context.deps
    reader = await load_reader(update, deps)
    message = update.effective_message
    if reader is None or message is None:
        return
    if not deps.is_admin(reader.user_id):
        await message.reply_text(reader.tr.gettext(messages.ADMIN_ONLY))
        return
    figures, delivery = await run_db(
        deps,
        lambda s: (store_figures(s), delivery_counts(s, sender_clock(deps.clock)())),
    )
    lines = [*store_lines(reader.tr, figures), delivery_line(reader.tr, delivery)]
    text = render_stats(reader.tr, lines)
    await message.reply_text(text, parse_mode=ParseMode.HTML)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("stats", on_stats))
