"""Handlers: ``/search <words>``, plain text in a private chat, and the page buttons.

Results come in the reader's language first, then matches only in the other language; articles
not available in the reader's language are left out when the reader hides them (/settings,
:func:`~digestbot.model.offered_to`). At most :data:`MAX_RESULTS` articles are paged. The query
is kept in the database under a short random token (it may exceed the 64 bytes of callback data;
:mod:`digestbot.bot.conversation`), so any bot process turns the pages; a page button with an
unknown token has expired and says so. A long query is cut to what a search reads
(:func:`~digestbot.store.tokenize.fit_query`: characters, words, phrases) and the reader is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from telegram import Update
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
from digestbot.bot.conversation import recall_search, remember_search
from digestbot.bot.deps import run_db
from digestbot.bot.edits import edit_pressed
from digestbot.bot.greetings import is_greeting
from digestbot.bot.handlers.help import digest_schedule
from digestbot.bot.handlers.read import reader_timezone
from digestbot.bot.reader import Reader, load_reader
from digestbot.bot.views.search import (
    PAGE_SIZE,
    SearchView,
    parse_search_data,
    render_no_results,
    render_results,
)
from digestbot.errors import QueryError
from digestbot.model import Lang, offered_to
from digestbot.store.articles import article_langs
from digestbot.store.search import SearchHit, search_articles
from digestbot.store.tokenize import MAX_QUERY_CHARS, fit_query

__all__ = ["MAX_RESULTS", "ResultPage", "find_results", "matching_hits", "register"]

MAX_RESULTS = 50


@dataclass(frozen=True, slots=True)
class ResultPage:
    """One page of results, how many can be paged, and whether more matched than that."""

    hits: tuple[SearchHit, ...]
    total: int
    more: bool = False


def matching_hits(
    session: Session, query: str, lang: Lang, limit: int, other_language: bool = True
) -> list[SearchHit]:
    """The best ``limit`` matches for ``query``: in ``lang`` first, then the others, each once;
    only articles offered to a reader of ``lang`` with this ``other_language`` setting."""
    try:
        first = search_articles(session, query, lang=lang, limit=limit)
        second = search_articles(session, query, lang=lang.other, limit=limit)
    except QueryError:  # nothing searchable in it (only punctuation, say)
        return []
    seen = {hit.article_id for hit in first}
    second = [hit for hit in second if hit.article_id not in seen]
    if not other_language:  # the first all have ``lang``; the second may not
        langs = article_langs(session.connection(), ids={hit.article_id for hit in second})
        second = [
            hit for hit in second if offered_to(langs.get(hit.article_id, ()), lang, other_language)
        ]
    return [*first, *second][:limit]


def find_results(
    session: Session, query: str, lang: Lang, page: int, other_language: bool = True
) -> ResultPage:
    """Page ``page`` of the matches for ``query`` (see :func:`matching_hits`)."""
    hits = matching_hits(session, query, lang, MAX_RESULTS, other_language)
    start = page * PAGE_SIZE
    more = len(hits) >= MAX_RESULTS
    return ResultPage(tuple(hits[start : start + PAGE_SIZE]), len(hits), more)


async def _results(
    context: Context, reader: Reader, text: str, token: str, page: int
) -> SearchView:
    """The view of ``page`` of the results for the reader's ``text`` (cut to what is searched)."""
    deps = context.deps
    query, shortened = fit_query(text)
    with context.metrics.search_seconds.time():
        found = await run_db(
            deps, lambda s: find_results(s, query, reader.lang, page, reader.other_language)
        )
    if found.total == 0:
        return render_no_results(query, reader.tr, shortened=shortened)
    tz = reader_timezone(deps, reader)
    return render_results(
        query,
        found.hits,
        found.total,
        page,
        token=token,
        tr=reader.tr,
        tz=tz,
        more=found.more,
        shortened=shortened,
    )


async def _search(update: Update, context: Context, query: str) -> None:
    """Reply to the message with the first page of results for ``query``."""
    message = update.effective_message
    reader = await load_reader(update, context.deps)
    if message is None or reader is None:
        return
    if not query.strip():
        await message.reply_text(
            reader.tr.gettext(messages.SEARCH_USAGE), parse_mode=ParseMode.HTML
        )
        return
    query = query.strip()[: MAX_QUERY_CHARS + 1]  # enough to know it was cut when paging
    token = await remember_search(context.deps, reader.chat_id, query)
    view = await _results(context, reader, query, token, 0)
    await message.reply_text(view.text, parse_mode=ParseMode.HTML, reply_markup=view.keyboard)


async def on_search(update: Update, context: Context) -> None:
    """``/search <words>``; usage without words."""
    text = update.effective_message.text if update.effective_message is not None else None
    parts = (text or "").split(maxsplit=1)
    await _search(update, context, parts[1] if len(parts) > 1 else "")


async def on_text(update: Update, context: Context) -> None:
    """Any plain text in a private chat is a search; a greeting gets what the bot can do."""
    message = update.effective_message
    if message is None:
        return
    if is_greeting(message.text or ""):
        reader = await load_reader(update, context.deps)
        if reader is not None:
            text = digest_schedule(reader, messages.GREETING_REPLY) or reader.tr.gettext(
                messages.GREETING_REPLY_NO_DIGEST
            )
            await message.reply_text(text, parse_mode=ParseMode.HTML)
        return
    await _search(update, context, message.text or "")


async def on_page(update: Update, context: Context) -> None:
    """A Next/Previous button: edit the results to that page; stale tokens have expired."""
    query = update.callback_query
    reader = await load_reader(update, context.deps)
    if query is None or reader is None:
        return
    parsed = parse_search_data(query.data or "")
    words = await recall_search(context.deps, reader.chat_id, parsed[0]) if parsed else None
    if parsed is None or words is None:
        await query.answer(reader.tr.gettext(messages.SEARCH_EXPIRED))
        return
    view = await _results(context, reader, words, parsed[0], parsed[1])
    await edit_pressed(context.shown, query, view.text, view.keyboard)
    await query.answer()


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("search", on_search))
    private_text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private_text, on_text))
    application.add_handler(CallbackQueryHandler(on_page, pattern=r"^s:"))
