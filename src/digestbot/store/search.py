"""Keyword search over article texts: FTS5 on SQLite, ``tsvector`` on PostgreSQL, same results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from digestbot.articles.model import Lang
from digestbot.store import models as m
from digestbot.store.articles import article_tags
from digestbot.store.search_schema import FTS_TABLE, PG_TABLE, index_body
from digestbot.store.snippet import Snippet, make_snippet
from digestbot.store.tokenize import SearchQuery, build_query

__all__ = ["MAX_LIMIT", "SearchHit", "Snippet", "count_matches", "search_articles"]

MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching article text (one per article and language), best first."""

    article_id: int
    key: str
    lang: Lang
    title: str
    snippet: Snippet
    url: str | None
    date: datetime
    tags: tuple[str, ...]
    score: float  # higher is better; comparable within one result list only


def _lang_filter(lang: Lang | None, id_column: str) -> str:
    if lang is None:
        return ""
    return f" AND {id_column} IN (SELECT id FROM article_texts WHERE lang = :lang)"


def _ranked_ids(
    session: Session, query: SearchQuery, lang: Lang | None, limit: int, offset: int
) -> list[tuple[int, float]]:
    params: dict[str, object] = {"limit": limit, "offset": offset}
    if lang is not None:
        params["lang"] = lang.value
    if session.get_bind().dialect.name == "sqlite":
        params["q"] = query.fts5()
        sql = (
            f"SELECT rowid, rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"
            f"{_lang_filter(lang, 'rowid')} ORDER BY rank LIMIT :limit OFFSET :offset"
        )
        return [(row[0], -float(row[1])) for row in session.execute(text(sql), params)]
    params["q"] = query.tsquery()
    sql = (
        f"SELECT d.text_id, ts_rank(d.tsv, q.query) AS score "
        f"FROM {PG_TABLE} AS d, (SELECT CAST(:q AS tsquery) AS query) AS q "
        f"WHERE d.tsv @@ q.query{_lang_filter(lang, 'd.text_id')} "
        "ORDER BY score DESC, d.text_id LIMIT :limit OFFSET :offset"
    )
    return [(row[0], float(row[1])) for row in session.execute(text(sql), params)]


def count_matches(session: Session, query: str, *, lang: Lang | None = None) -> int:
    """How many article texts match ``query`` (for "1-10 of N")."""
    parsed = build_query(query)
    params: dict[str, object] = {} if lang is None else {"lang": lang.value}
    if session.get_bind().dialect.name == "sqlite":
        params["q"] = parsed.fts5()
        sql = (
            f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"
            f"{_lang_filter(lang, 'rowid')}"
        )
    else:
        params["q"] = parsed.tsquery()
        sql = (
            f"SELECT count(*) FROM {PG_TABLE} WHERE tsv @@ CAST(:q AS tsquery)"
            f"{_lang_filter(lang, 'text_id')}"
        )
    return int(session.execute(text(sql), params).scalar_one())


def search_articles(
    session: Session, query: str, *, lang: Lang | None = None, limit: int = 10, offset: int = 0
) -> list[SearchHit]:
    """The best matches for ``query``; raises :class:`QueryError` when it has nothing to search."""
    parsed = build_query(query)
    limit = min(limit, MAX_LIMIT)
    if limit <= 0:
        return []
    ranked = _ranked_ids(session, parsed, lang, limit, max(offset, 0))
    return _hits(session, parsed, ranked)


def _hits(
    session: Session, query: SearchQuery, ranked: Sequence[tuple[int, float]]
) -> list[SearchHit]:
    ids = [text_id for text_id, _ in ranked]
    rows = {
        row.id: row
        for row in session.execute(
            select(
                m.ArticleText.id,
                m.ArticleText.lang,
                m.ArticleText.title,
                m.ArticleText.summary,
                m.ArticleText.plain,
                m.Article.id.label("article_id"),
                m.Article.key,
                m.Article.url,
                m.Article.date,
            )
            .join(m.Article, m.Article.id == m.ArticleText.article_id)
            .where(m.ArticleText.id.in_(ids))
        )
    }
    tags = article_tags(session, {row.article_id for row in rows.values()})
    hits = []
    for text_id, score in ranked:
        row = rows.get(text_id)
        if row is None:
            continue
        body = index_body(row.title, row.plain)
        hits.append(
            SearchHit(
                article_id=row.article_id,
                key=row.key,
                lang=row.lang,
                title=row.title,
                snippet=make_snippet((body, row.summary, row.title), query),
                url=row.url,
                date=row.date,
                tags=tags.get(row.article_id, ()),
                score=score,
            )
        )
    return hits
