"""Helpers for the content tests (search, read, inline): seed article ids, extra articles."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete

from digestbot.model import Article, ArticleText, Lang
from digestbot.store import models as m
from digestbot.store.articles import get_article, save_article
from tests.support.bot import BotHarness

__all__ = ["LONG_ARTICLE", "add_article", "article_id", "remove_article"]

LONG_ARTICLE = "004_grid_battery_explainer"  # needs several messages in either language


def article_id(bot: BotHarness, key: str) -> int:
    """The database id of the seed article with ``key`` (its file name without suffix)."""
    with bot.sessions() as session:
        article = get_article(session, key)
    assert article is not None, key
    return article.id


def add_article(bot: BotHarness, key: str, texts: dict[Lang, tuple[str, str]]) -> int:
    """Store an extra article with ``{lang: (title, body)}``; returns its id."""
    article = Article(
        key=key,
        url=f"https://example.com/{key}?a=1&b=2",
        date=datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
        tags=("tech",),
        author="demo & co",
        texts={
            lang: ArticleText(lang, title, body[:100], body, (), f"{title}\n{body}")
            for lang, (title, body) in texts.items()
        },
    )
    with bot.sessions.begin() as session:
        new_id, _ = save_article(session, article, content_hash=key, source_path=f"{key}.md")
    return new_id


def remove_article(bot: BotHarness, article_id: int) -> None:
    """Delete an article's row and texts, as an operator removing it would (index rows stay)."""
    with bot.sessions.begin() as session:
        session.execute(delete(m.ArticleTag).where(m.ArticleTag.article_id == article_id))
        session.execute(delete(m.ArticleText).where(m.ArticleText.article_id == article_id))
        session.execute(delete(m.Article).where(m.Article.id == article_id))
