"""Articles for store tests, built directly from the domain model."""

from __future__ import annotations

from datetime import UTC, datetime

from digestbot.articles.model import Article, ArticleText, Lang


def text(
    lang: Lang, title: str, body: str, summary: str = "", terms: tuple[str, ...] = ()
) -> ArticleText:
    """One language's text; ``plain`` is title + body, as the parser makes it."""
    return ArticleText(
        lang=lang,
        title=title,
        summary=summary or body[:40],
        body=body,
        key_terms=terms,
        plain=f"{title}\n\n{body}",
    )


def article(
    key: str,
    *texts: ArticleText,
    tags: tuple[str, ...] = ("tech",),
    url: str | None = None,
    day: int = 1,
) -> Article:
    """An article dated 2024-05-``day`` with ``texts``."""
    return Article(
        key=key,
        url=url if url is not None else f"https://example.com/{key}",
        date=datetime(2024, 5, day, 8, 30, tzinfo=UTC),
        tags=tags,
        author="ft",
        texts={t.lang: t for t in texts},
    )
