"""Handlers: ``/digest`` (what is new since the reader's last digest, now), the ``d:`` buttons
that show a delivered digest message in the other language, edited in place (labels stay in the
reader's language, as under ``/read``), and the ``m:`` button under "…and N more" that sends the
articles the digest did not show, a page at a time, each page ending with the next button.

``/digest`` plans like the minute tick (forced, for this chat) and wakes the outbox sender, which
sends the messages with the same pacing and retries as scheduled digests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.deps import BotDeps, run_db
from digestbot.bot.edits import edit_pressed
from digestbot.bot.handlers.read import reader_timezone
from digestbot.bot.ids import MAX_BIG_ID, is_stored_id
from digestbot.bot.reader import Reader, load_reader
from digestbot.delivery.tick import tick_lock
from digestbot.digest.compose import (
    CALLBACK_PREFIX,
    REST_PREFIX,
    BlockCache,
    DigestContent,
    compose_rest_page,
    digest_markup,
    parse_rest_data,
    parse_switch_data,
    render_message,
    rest_button,
)
from digestbot.digest.plan import (
    PlanReport,
    digest_message,
    digest_rest,
    plan_due_digests,
)
from digestbot.model import Lang
from digestbot.render import split_blocks
from digestbot.store.subscribers import ensure_subscriber

__all__ = ["register"]

_Data = TypeVar("_Data", tuple[int, int], tuple[int, int, Lang])


async def on_digest(update: Update, context: Context) -> None:
    """/digest: plan the reader's digest now and have it sent; say so when nothing is new."""
    deps = context.deps
    reader = await load_reader(update, deps)
    message = update.effective_message
    if reader is None or message is None:
        return
    report = await run_db(deps, lambda session: _plan_now(session, deps, reader))
    context.metrics.digests_planned.inc(report.digests)
    if report.messages == 0:
        await message.reply_text(reader.tr.gettext(messages.DIGEST_NOTHING_SINCE_LAST))
        return
    context.runtime.wake()  # the outbox sender delivers it, paced


def _plan_now(session: Session, deps: BotDeps, reader: Reader) -> PlanReport:
    if session.get_bind().dialect.name == "postgresql":  # wait for a running tick, or hold it off
        session.execute(tick_lock(wait=True))
    if reader.profile is None:
        ensure_subscriber(
            session,
            reader.chat_id,
            user_id=reader.user_id,
            language=reader.lang,
            script=reader.script,
            timezone=deps.settings.digest.timezone,
            digest_time=deps.settings.digest.time,
            now=deps.clock(),
        )
    return plan_due_digests(
        session, deps.clock(), deps.settings, force=True, chat_ids=[reader.chat_id]
    )


async def on_switch(update: Update, context: Context) -> None:
    """A ``d:<digest>:<seq>:<lang>`` button: show that message in ``lang``, edited in place."""
    pressed = await _pressed(update, context, parse_switch_data)
    if pressed is None:
        return
    query, reader, (digest_id, seq, lang) = pressed
    deps = context.deps
    found = await run_db(deps, lambda s: digest_message(s, digest_id, seq, reader.chat_id))
    if found is None:
        await query.answer(reader.tr.gettext(messages.NO_LONGER_AVAILABLE))
        return
    content = DigestContent(
        lang,
        reader_timezone(deps, reader),
        found.local_date,
        found.articles,
        found.total,
        reader.lang,
        reader.script,
    )
    cache = BlockCache(deps.settings.reader.tag_label)
    text = render_message(cache, content, with_header=found.with_header, more=found.more)
    markup = digest_markup(digest_id, seq, lang, reader.lang, reader.script, more=found.more > 0)
    await edit_pressed(
        context.shown,
        query,
        split_blocks([text])[0],  # articles edited since could make it longer than one message
        InlineKeyboardMarkup.de_json(markup, context.bot),
    )
    await query.answer()


async def on_rest(update: Update, context: Context) -> None:
    """An ``m:<digest>:<offset>`` button: send the next page of the articles that digest did
    not show, in the reader's language; forged or stale data is answered "expired"."""
    pressed = await _pressed(update, context, parse_rest_data)
    if pressed is None:
        return
    query, reader, (digest_id, offset) = pressed
    deps = context.deps
    size, max_age = deps.settings.digest.max_articles, deps.settings.digest.max_age_days
    page = await run_db(
        deps, lambda s: digest_rest(s, digest_id, reader.chat_id, offset, size, max_age)
    )
    if page is None:
        await query.answer(reader.tr.gettext(messages.BUTTON_EXPIRED))
        return
    await query.answer()
    content = DigestContent(
        reader.lang,
        reader_timezone(deps, reader),
        page.local_date,
        page.articles,
        page.left,
        script=reader.script,
    )
    texts = compose_rest_page(BlockCache(deps.settings.reader.tag_label), content, more=page.left)
    next_button = rest_button(digest_id, offset + len(page.articles), reader.lang, reader.script)
    for number, text in enumerate(texts, start=1):
        last = number == len(texts) and page.left > 0
        await context.bot.send_message(
            reader.chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup.de_json(
                {"inline_keyboard": [[next_button]]}, context.bot
            )
            if last
            else None,
        )


async def _pressed(
    update: Update, context: Context, parse: Callable[[str], _Data | None]
) -> tuple[CallbackQuery, Reader, _Data] | None:
    """The pressed button's query, reader and data (a digest id, then a number); None when
    there is none, or it is malformed or out of range (answered "expired")."""
    query = update.callback_query
    reader = await load_reader(update, context.deps)
    if query is None or reader is None:
        return None
    parsed = parse(query.data or "")
    if parsed is None or not (is_stored_id(parsed[0], MAX_BIG_ID) and is_stored_id(parsed[1])):
        await query.answer(reader.tr.gettext(messages.BUTTON_EXPIRED))
        return None
    return query, reader, parsed


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("digest", on_digest))
    application.add_handler(CallbackQueryHandler(on_switch, pattern=rf"^{CALLBACK_PREFIX}:"))
    application.add_handler(CallbackQueryHandler(on_rest, pattern=rf"^{REST_PREFIX}:"))
