"""Handlers: ``/digest`` (what is new since the reader's last digest, now) and the ``d:`` buttons
that show a delivered digest message in the other language, edited in place.

``/digest`` plans like the minute tick (forced, for this chat) and wakes the outbox sender, which
sends the messages with the same pacing and retries as scheduled digests.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.deps import BotDeps, run_db
from digestbot.bot.edits import edit_pressed
from digestbot.bot.ids import MAX_BIG_ID, is_stored_id
from digestbot.bot.reader import Reader, load_reader
from digestbot.delivery.tick import TICK_LOCK_KEY
from digestbot.digest.compose import (
    CALLBACK_PREFIX,
    BlockCache,
    DigestContent,
    parse_switch_data,
    render_message,
    switch_markup,
)
from digestbot.render import split_blocks
from digestbot.store.digests import (
    PlanReport,
    digest_message,
    plan_due_digests,
)
from digestbot.store.subscribers import ensure_subscriber

__all__ = ["register"]


async def on_digest(update: Update, context: Context) -> None:
    """/digest: plan the reader's digest now and have it sent; say so when nothing is new."""
    deps = context.deps
    reader = await load_reader(update, deps)
    message = update.effective_message
    if reader is None or message is None:
        return
    report = await run_db(deps, lambda session: _plan_now(session, deps, reader))
    context.metrics.digests_planned.inc(len(report.planned))
    if report.messages == 0:
        await message.reply_text(reader.tr.gettext(messages.DIGEST_NOTHING_SINCE_LAST))
        return
    context.runtime.wake()  # the outbox sender delivers it, paced


def _plan_now(session: Session, deps: BotDeps, reader: Reader) -> PlanReport:
    if session.get_bind().dialect.name == "postgresql":  # wait for a running tick, or hold it off
        session.execute(select(func.pg_advisory_xact_lock(TICK_LOCK_KEY)))
    if reader.profile is None:
        ensure_subscriber(
            session,
            reader.chat_id,
            user_id=reader.user_id,
            language=reader.lang,
            timezone=deps.settings.digest.timezone,
            digest_time=deps.settings.digest.time,
            now=deps.clock(),
        )
    return plan_due_digests(
        session, deps.clock(), deps.settings, force=True, chat_ids=[reader.chat_id]
    )


async def on_switch(update: Update, context: Context) -> None:
    """A ``d:<digest>:<seq>:<lang>`` button: show that message in ``lang``, edited in place."""
    query = update.callback_query
    deps = context.deps
    reader = await load_reader(update, deps)
    if query is None or reader is None:
        return
    parsed = parse_switch_data(query.data or "")
    if parsed is None or not (is_stored_id(parsed[0], MAX_BIG_ID) and is_stored_id(parsed[1])):
        await query.answer(reader.tr.gettext(messages.BUTTON_EXPIRED))
        return
    digest_id, seq, lang = parsed
    found = await run_db(deps, lambda s: digest_message(s, digest_id, seq, reader.chat_id))
    if found is None:
        await query.answer(reader.tr.gettext(messages.NO_LONGER_AVAILABLE))
        return
    timezone = reader.profile.timezone if reader.profile else deps.settings.digest.timezone
    content = DigestContent(lang, timezone, found.local_date, found.articles, found.total)
    cache = BlockCache(deps.settings.reader.tag_label)
    text = render_message(cache, content, with_header=found.with_header, more=found.more)
    await edit_pressed(
        query,
        split_blocks([text])[0],  # articles edited since could make it longer than one message
        InlineKeyboardMarkup.de_json(switch_markup(digest_id, seq, lang), context.bot),
    )
    await query.answer()


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("digest", on_digest))
    application.add_handler(CallbackQueryHandler(on_switch, pattern=rf"^{CALLBACK_PREFIX}:"))
