"""Handler: inline mode, ``@bot words`` in any chat, answered in the language of who types.

An empty query lists the newest articles; no match gives an empty list with a hint button that
opens the bot. Answers are personal (the language differs per user) and cached briefly. Results
come :data:`MAX_INLINE_RESULTS` at a time, up to :data:`~digestbot.bot.views.inline.MAX_PAGES`
pages (the offset is the page number); an offset the bot never gave gets an empty page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from telegram import InlineQueryResultsButton, Update
from telegram.ext import Application, InlineQueryHandler

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.deps import run_db
from digestbot.bot.handlers.search import matching_hits
from digestbot.bot.reader import load_reader
from digestbot.bot.views.inline import MAX_PAGES, inline_results, parse_inline_offset
from digestbot.model import Lang, StoredArticle
from digestbot.store.articles import get_articles, list_articles, offered_clause
from digestbot.store.tokenize import fit_query

__all__ = ["CACHE_SECONDS", "MAX_INLINE_RESULTS", "InlinePage", "find_inline", "register"]

MAX_INLINE_RESULTS = 20
CACHE_SECONDS = 10

InlinePage = tuple[list[StoredArticle], bool]  # the page's articles, whether a next page exists


def find_inline(
    session: Session, query: str, lang: Lang, page: int = 0, other_language: bool = True
) -> InlinePage:
    """Page ``page`` of the articles matching ``query`` (``lang`` matches first; the newest when
    it is empty), only those offered to the reader, and whether more follow."""
    wanted = MAX_INLINE_RESULTS * (page + 1) + 1  # one more tells whether a next page exists
    if not query.strip():
        offered = offered_clause(lang, other_language)
        found = list_articles(session, limit=wanted, offered=offered)
    else:
        hits = matching_hits(session, fit_query(query)[0], lang, wanted, other_language)
        found = get_articles(session, [hit.article_id for hit in hits])
    start = MAX_INLINE_RESULTS * page
    return found[start : start + MAX_INLINE_RESULTS], len(found) > start + MAX_INLINE_RESULTS


async def on_inline_query(update: Update, context: Context) -> None:
    """List matching articles (title, summary) for ``@bot words``."""
    inline = update.inline_query
    reader = await load_reader(update, context.deps)
    if inline is None or reader is None:
        return
    words = inline.query
    page = parse_inline_offset(inline.offset)
    if page is None:  # an offset this bot never gave (forged, or from an older version)
        await inline.answer([], cache_time=CACHE_SECONDS, is_personal=True)
        return
    with context.metrics.search_seconds.time():
        found, more = await run_db(
            context.deps,
            lambda s: find_inline(s, words, reader.lang, page, reader.other_language),
        )
    results = inline_results(found, reader.tr, context.bot.username or "")
    hint = messages.INLINE_HINT if not words.strip() else messages.INLINE_NO_RESULTS
    button = None
    if page == 0 and (not results or not words.strip()):
        button = InlineQueryResultsButton(reader.tr.gettext(hint), start_parameter="inline")
    next_offset = str(page + 1) if more and page + 1 < MAX_PAGES else None
    await inline.answer(
        results,
        cache_time=CACHE_SECONDS,
        is_personal=True,
        button=button,
        next_offset=next_offset,
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(InlineQueryHandler(on_inline_query))
