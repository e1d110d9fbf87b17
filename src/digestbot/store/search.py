"""Keyword search over article texts: FTS5 on SQLite, ``tsvector`` on PostgreSQL, same results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from digestbot.model import Lang
from digestbot.store import models as m
from digestbot.store.articles import article_tags
from digestbot.store.search_schema import (
    BIGRAM_TABLE,
    FTS_TABLE,
    HAS_PHRASES,
    PG_TABLE,
    PHRASE_SCORE,
    index_body,
)
from digestbot.store.snippet import Snippet, make_snippet
from digestbot.store.tokenize import SearchQuery, build_query

__all__ = ["CANDIDATES", "MAX_LIMIT", "SearchHit", "Snippet", "count_matches", "search_articles"]

MAX_LIMIT = 100
# Only the newest CANDIDATES matches are ranked: a query as broad as one common character
# matches a third of all articles, and ranking them all would cost a full sort per search.
CANDIDATES = 500


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


def _candidates(
    dialect: str, query: SearchQuery, lang: Lang | None
) -> tuple[str, str, dict[str, object]]:
    """SQL for the newest :data:`CANDIDATES` matches, the score of a candidate ``c``, params."""
    params: dict[str, object] = {"cap": CANDIDATES}
    if lang is not None:
        params["lang"] = lang.value
    if dialect != "sqlite":
        join = " JOIN article_texts AS t ON t.id = d.text_id" if lang is not None else ""
        where = " AND t.lang = :lang" if lang is not None else ""
        params["q"] = query.tsquery()
        sql = (
            f"SELECT d.text_id, d.tsv FROM {PG_TABLE} AS d{join} "
            f"WHERE d.tsv @@ CAST(:q AS tsquery){where} ORDER BY d.text_id DESC LIMIT :cap"
        )
        return sql, "ts_rank(c.tsv, CAST(:q AS tsquery))", params  # ranks only the candidates
    # Words and single characters match in FTS_TABLE, phrases as the AND of their bigrams in
    # BIGRAM_TABLE (no positions there); phrases of 3+ characters are then checked in the text.
    tokens, bigrams = query.fts5_tokens(), query.fts5_bigrams()
    conditions = []
    if tokens is not None:
        table, params["q"] = FTS_TABLE, tokens
        score = f"{FTS_TABLE}.rank"
        if bigrams is not None:
            params["qb"] = bigrams
            conditions.append(
                f"{FTS_TABLE}.rowid IN "
                f"(SELECT rowid FROM {BIGRAM_TABLE} WHERE {BIGRAM_TABLE} MATCH :qb)"
            )
    else:
        table, params["q"] = BIGRAM_TABLE, bigrams
        score = ""
    join = ""
    if lang is not None or bigrams is not None:
        join = f" JOIN article_texts AS t ON t.id = {table}.rowid"
    if lang is not None:
        conditions.append("t.lang = :lang")
    if bigrams is not None:
        params["phrases"] = "\n".join(query.phrases())
        fields = "t.title, t.summary, t.plain, t.folded, :phrases"
        # FTS5's bm25 is 0 without positions: the phrases are scored from the text instead
        score = f"{score} + {PHRASE_SCORE}({fields})" if score else f"{PHRASE_SCORE}({fields})"
        if query.phrases(3):
            conditions.append(f"{HAS_PHRASES}({fields})")
    where = "".join(f" AND {condition}" for condition in conditions)
    sql = (
        f"SELECT {table}.rowid AS text_id, {score} AS score FROM {table}{join} "
        f"WHERE {table} MATCH :q{where} ORDER BY {table}.rowid DESC LIMIT :cap"
    )
    return sql, "c.score", params


def _ranked_ids(
    session: Session, query: SearchQuery, lang: Lang | None, limit: int, offset: int
) -> list[tuple[int, float]]:
    dialect = session.get_bind().dialect.name
    better = "ASC" if dialect == "sqlite" else "DESC"  # bm25: lower is better
    candidates, score, params = _candidates(dialect, query, lang)
    sql = (
        f"SELECT c.text_id, {score} AS score FROM ({candidates}) AS c "
        f"ORDER BY score {better}, c.text_id DESC LIMIT :limit OFFSET :offset"
    )
    params = {**params, "limit": limit, "offset": offset}
    sign = -1.0 if dialect == "sqlite" else 1.0
    return [(row[0], sign * float(row[1])) for row in session.execute(text(sql), params)]


def count_matches(session: Session, query: str, *, lang: Lang | None = None) -> int:
    """How many article texts match ``query``, up to :data:`CANDIDATES` (for "1-10 of N")."""
    sql, _, params = _candidates(session.get_bind().dialect.name, build_query(query), lang)
    sql = f"SELECT count(*) FROM ({sql}) AS c"
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
                m.ArticleText.folded,
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
                snippet=make_snippet(
                    (body, row.summary, row.title), query, as_written=row.folded is None
                ),
                url=row.url,
                date=row.date,
                tags=tags.get(row.article_id, ()),
                score=score,
            )
        )
    return hits
