"""Handlers: ``/read <id>``, ``/read_<id>`` links and the language-switch button under an article.

The switch (``r:<id>:<lang>``) edits the message in place when both language versions fit in one
message each; otherwise the other version is sent anew (editing only the last part of a long
article would leave its first parts in the old language above it).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from telegram import CallbackQuery, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.deps import BotDeps, run_db
from digestbot.bot.edits import edit_pressed
from digestbot.bot.ids import is_stored_id
from digestbot.bot.reader import Reader, load_reader
from digestbot.bot.views.article import ArticleView, render_article
from digestbot.model import Lang, StoredArticle
from digestbot.store.articles import get_article

__all__ = ["READ_LINK", "register", "send_article"]

READ_LINK = re.compile(r"^/read_(\d{1,18})(?:@(\w+))?(?:\s|$)")
_SWITCH = re.compile(r"^r:(\d{1,18}):(zh|en)$")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

_log = logging.getLogger(__name__)


def reader_timezone(deps: BotDeps, reader: Reader) -> str:
    """The reader's time zone, or the configured default before they have a profile."""
    return reader.profile.timezone if reader.profile is not None else deps.settings.digest.timezone


async def _load(deps: BotDeps, article_id: int) -> StoredArticle | None:
    if not is_stored_id(article_id):  # a typed or forged number no article can have
        return None
    return await run_db(deps, lambda session: get_article(session, article_id))


def _render(deps: BotDeps, reader: Reader, article: StoredArticle, lang: Lang) -> ArticleView:
    tz = reader_timezone(deps, reader)
    return render_article(article, lang, reader.tr, tz, deps.settings.reader.tag_label)


async def send_article(
    context: Context, reader: Reader, article_id: int, lang: Lang | None = None
) -> None:
    """Send article ``article_id`` in full to the reader's chat, in ``lang`` or the reader's."""
    deps = context.deps
    article = await _load(deps, article_id)
    if article is None:
        text = reader.tr.gettext(messages.ARTICLE_NOT_FOUND, id=article_id)
        await context.bot.send_message(reader.chat_id, text, parse_mode=ParseMode.HTML)
        return
    view = _render(deps, reader, article, lang or reader.lang)
    number = 0
    try:
        for number, html in enumerate(view.messages, start=1):
            await context.bot.send_message(
                reader.chat_id,
                html,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=view.keyboard if number == len(view.messages) else None,
            )
    except asyncio.CancelledError:
        _log.info(
            "stopping: article %d for chat %d cut after part %d of %d (the rest is dropped; "
            "the reader can ask again)", article_id, reader.chat_id, number - 1, len(view.messages),
        )  # fmt: skip
        raise


async def _reply_usage(update: Update, reader: Reader) -> None:
    if update.effective_message is not None:
        usage = reader.tr.gettext(messages.READ_USAGE)
        await update.effective_message.reply_text(usage, parse_mode=ParseMode.HTML)


async def on_read(update: Update, context: Context) -> None:
    """``/read <id>``: the article's full text; usage without a number."""
    reader = await load_reader(update, context.deps)
    if reader is None or update.effective_message is None:
        return
    args = context.args or []
    if len(args) != 1 or not args[0].isdecimal() or len(args[0]) > 18:
        await _reply_usage(update, reader)
        return
    await send_article(context, reader, int(args[0]))


async def on_read_link(update: Update, context: Context) -> None:
    """``/read_<id>`` (a clickable command in digests and search results)."""
    message = update.effective_message
    match = READ_LINK.match(message.text or "") if message is not None else None
    if match is None or (match[2] and match[2].lower() != context.bot.username.lower()):
        return
    reader = await load_reader(update, context.deps)
    if reader is not None:
        await send_article(context, reader, int(match[1]))


async def on_switch(update: Update, context: Context) -> None:
    """The button under an article: show it in the other language."""
    query = update.callback_query
    if query is None:
        return
    deps = context.deps
    reader = await load_reader(update, deps)
    match = _SWITCH.match(query.data or "")
    if reader is None or match is None:
        await query.answer(reader.tr.gettext(messages.BUTTON_EXPIRED) if reader else None)
        return
    article = await _load(deps, int(match[1]))
    if article is None:
        await query.answer(reader.tr.gettext(messages.NO_LONGER_AVAILABLE))
        return
    wanted = Lang(match[2])
    view = _render(deps, reader, article, wanted)
    current = _render(deps, reader, article, wanted.other)
    if len(view.messages) == 1 and len(current.messages) == 1 and query.message is not None:
        await _edit(context, query, view)
    else:
        await send_article(context, reader, article.id, wanted)
    await query.answer()


async def _edit(context: Context, query: CallbackQuery, view: ArticleView) -> None:
    """Edit the pressed message to ``view``."""
    await edit_pressed(
        context.shown, query, view.messages[0], view.keyboard, link_preview_options=NO_PREVIEW
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("read", on_read))
    application.add_handler(MessageHandler(filters.Regex(READ_LINK), on_read_link))
    application.add_handler(CallbackQueryHandler(on_switch, pattern=r"^r:"))
