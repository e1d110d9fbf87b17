"""Handler: inline mode, ``@bot words`` in any chat, answered in the language of who types.

An empty query lists the newest articles; no match gives an empty list with a hint button that
opens the bot. Answers are personal (the language differs per user) and cached briefly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from telegram import InlineQueryResultsButton, Update
from telegram.ext import Application, InlineQueryHandler

from digestbot import messages
from digestbot.articles.model import Lang
from digestbot.bot.context import Context
from digestbot.bot.deps import run_db
from digestbot.bot.handlers.search import matching_hits
from digestbot.bot.reader import load_reader
from digestbot.bot.views.inline import inline_results
from digestbot.store.articles import StoredArticle, get_articles, list_articles

__all__ = ["CACHE_SECONDS", "MAX_INLINE_RESULTS", "find_inline", "register"]

MAX_INLINE_RESULTS = 20
CACHE_SECONDS = 10


def find_inline(session: Session, query: str, lang: Lang) -> list[StoredArticle]:
    """Articles matching ``query`` (``lang`` matches first); the newest when it is empty."""
    if not query.strip():
        return list_articles(session, limit=MAX_INLINE_RESULTS)
    hits = matching_hits(session, query, lang, MAX_INLINE_RESULTS)
    return get_articles(session, [hit.article_id for hit in hits])


async def on_inline_query(update: Update, context: Context) -> None:
    """List matching articles (title, summary) for ``@bot words``."""
    inline = update.inline_query
    reader = await load_reader(update, context.deps)
    if inline is None or reader is None:
        return
    words = inline.query
    with context.metrics.search_seconds.time():
        found = await run_db(context.deps, lambda s: find_inline(s, words, reader.lang))
    results = inline_results(found, reader.tr, context.bot.username or "")
    hint = messages.INLINE_HINT if not words.strip() else messages.INLINE_NO_RESULTS
    button = None
    if not results or not words.strip():
        button = InlineQueryResultsButton(reader.tr.gettext(hint), start_parameter="inline")
    await inline.answer(results, cache_time=CACHE_SECONDS, is_personal=True, button=button)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(InlineQueryHandler(on_inline_query))
