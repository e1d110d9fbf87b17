"""Article data functions: save, find, list. They take a Session and never commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from digestbot.articles.model import Article, ArticleText, Lang
from digestbot.store import models as m
from digestbot.store.search_schema import (
    IndexRow,
    add_to_index,
    index_body,
    rebuild_index,
    remove_from_index,
)

__all__ = [
    "StoredArticle",
    "article_tags",
    "count_articles",
    "find_article_state",
    "find_key_by_url",
    "get_article",
    "get_articles",
    "known_hashes",
    "list_articles",
    "list_tags",
    "rebuild_search_index",
    "save_article",
]


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as stored: its database id plus the fields of :class:`Article`."""

    id: int
    key: str
    url: str | None
    date: datetime
    tags: tuple[str, ...]
    author: str | None
    texts: Mapping[Lang, ArticleText]

    def text(self, lang: Lang) -> ArticleText:
        """The text in ``lang``, or in the other language when the article lacks ``lang``."""
        return self.texts.get(lang) or self.texts[lang.other]

    @property
    def langs(self) -> tuple[Lang, ...]:
        """The languages the article has."""
        return tuple(self.texts)


def find_article_state(session: Session, key: str) -> tuple[int, str] | None:
    """``(id, content_hash)`` of the article with ``key``, or None."""
    row = session.execute(
        select(m.Article.id, m.Article.content_hash).where(m.Article.key == key)
    ).first()
    return None if row is None else (row.id, row.content_hash)


def known_hashes(session: Session) -> dict[str, tuple[int, str]]:
    """Every article's ``key -> (id, content_hash)``, for a loader to skip unchanged files."""
    rows = session.execute(select(m.Article.key, m.Article.id, m.Article.content_hash))
    return {row.key: (row.id, row.content_hash) for row in rows}


def find_key_by_url(session: Session, url: str) -> str | None:
    """The key of the article whose source URL is ``url``, or None."""
    return session.execute(select(m.Article.key).where(m.Article.url == url)).scalar()


def count_articles(session: Session) -> int:
    """How many articles the store holds."""
    return session.execute(select(func.count()).select_from(m.Article)).scalar_one()


def _tag_ids(session: Session, names: Sequence[str]) -> dict[str, int]:
    """Ids of the tags ``names``, creating the missing ones."""
    if not names:
        return {}
    rows = session.execute(select(m.Tag.name, m.Tag.id).where(m.Tag.name.in_(names)))
    ids = {row.name: row.id for row in rows}
    missing = [{"name": name} for name in names if name not in ids]
    if missing:
        created = session.execute(
            insert(m.Tag).returning(m.Tag.name, m.Tag.id, sort_by_parameter_order=True), missing
        )
        ids.update({row.name: row.id for row in created})
    return ids


def _forget_texts(session: Session, article_id: int) -> None:
    """Remove an article's texts and their search index rows, and its tags."""
    old = session.execute(
        select(
            m.ArticleText.id, m.ArticleText.title, m.ArticleText.summary, m.ArticleText.plain
        ).where(m.ArticleText.article_id == article_id)
    ).all()
    remove_from_index(
        session, [IndexRow(r.id, r.title, r.summary, index_body(r.title, r.plain)) for r in old]
    )
    session.execute(delete(m.ArticleText).where(m.ArticleText.article_id == article_id))
    session.execute(delete(m.ArticleTag).where(m.ArticleTag.article_id == article_id))


def save_article(
    session: Session, article: Article, *, content_hash: str, source_path: str
) -> tuple[int, bool]:
    """Insert or update (by key) ``article``, its texts, tags and search rows: ``(id, created)``."""
    now = m.utc_now()
    values = {
        "url": article.url,
        "date": article.date,
        "author": article.author,
        "content_hash": content_hash,
        "source_path": source_path,
        "updated_at": now,
    }
    article_id = session.execute(select(m.Article.id).where(m.Article.key == article.key)).scalar()
    created = article_id is None
    if article_id is None:
        article_id = session.execute(
            insert(m.Article).returning(m.Article.id),
            [{"key": article.key, "created_at": now, **values}],
        ).scalar_one()
    else:
        _forget_texts(session, article_id)
        session.execute(update(m.Article).where(m.Article.id == article_id).values(**values))
    texts = list(article.texts.values())
    if texts:
        text_ids = session.execute(
            insert(m.ArticleText).returning(m.ArticleText.id, sort_by_parameter_order=True),
            [
                {
                    "article_id": article_id,
                    "lang": t.lang,
                    "title": t.title,
                    "summary": t.summary,
                    "body": t.body,
                    "plain": t.plain,
                    "key_terms": list(t.key_terms),
                }
                for t in texts
            ],
        ).scalars()
        add_to_index(
            session,
            [
                IndexRow(text_id, t.title, t.summary, index_body(t.title, t.plain))
                for text_id, t in zip(text_ids, texts, strict=True)
            ],
        )
    tag_ids = _tag_ids(session, article.tags)
    if tag_ids:
        session.execute(
            insert(m.ArticleTag),
            [
                {"article_id": article_id, "tag_id": tag_ids[name], "position": position}
                for position, name in enumerate(article.tags)
            ],
        )
    return article_id, created


def _assemble(session: Session, rows: Sequence[m.Article]) -> list[StoredArticle]:
    """StoredArticles for ``rows``, texts and tags loaded in one query each."""
    ids = [row.id for row in rows]
    texts: dict[int, dict[Lang, ArticleText]] = defaultdict(dict)
    for t in session.scalars(
        select(m.ArticleText).where(m.ArticleText.article_id.in_(ids)).order_by(m.ArticleText.id)
    ):
        texts[t.article_id][t.lang] = ArticleText(
            lang=t.lang,
            title=t.title,
            summary=t.summary,
            body=t.body,
            key_terms=tuple(t.key_terms),
            plain=t.plain,
        )
    tags = article_tags(session, ids)
    return [
        StoredArticle(
            id=row.id,
            key=row.key,
            url=row.url,
            date=row.date,
            tags=tags.get(row.id, ()),
            author=row.author,
            texts=texts.get(row.id, {}),
        )
        for row in rows
    ]


def article_tags(session: Session, article_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The tags of each article in ``article_ids``, in the order written."""
    rows = session.execute(
        select(m.ArticleTag.article_id, m.Tag.name)
        .join(m.Tag, m.Tag.id == m.ArticleTag.tag_id)
        .where(m.ArticleTag.article_id.in_(list(article_ids)))
        .order_by(m.ArticleTag.article_id, m.ArticleTag.position)
    )
    tags: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        tags[row.article_id].append(row.name)
    return {article_id: tuple(names) for article_id, names in tags.items()}


def get_article(session: Session, id_or_key: int | str) -> StoredArticle | None:
    """The article with this id (int) or key (str; a key of digits falls back to the id)."""
    row = None
    if isinstance(id_or_key, str):
        row = session.scalars(select(m.Article).where(m.Article.key == id_or_key)).first()
        if row is None and id_or_key.isdecimal():
            row = session.get(m.Article, int(id_or_key))
    else:
        row = session.get(m.Article, id_or_key)
    return None if row is None else _assemble(session, [row])[0]


def get_articles(session: Session, ids: Sequence[int]) -> list[StoredArticle]:
    """The articles with ``ids``, in that order (missing ones left out)."""
    rows = {row.id: row for row in session.scalars(select(m.Article).where(m.Article.id.in_(ids)))}
    return _assemble(session, [rows[i] for i in ids if i in rows])


def list_articles(
    session: Session, *, tag: str | None = None, limit: int | None = None
) -> list[StoredArticle]:
    """Articles newest first, optionally only those with ``tag`` (case-insensitive)."""
    query = select(m.Article).order_by(m.Article.date.desc(), m.Article.id.desc())
    if tag is not None:
        query = (
            query.join(m.ArticleTag, m.ArticleTag.article_id == m.Article.id)
            .join(m.Tag, m.Tag.id == m.ArticleTag.tag_id)
            .where(m.Tag.name == tag.strip().lower())
        )
    if limit is not None:
        query = query.limit(limit)
    return _assemble(session, list(session.scalars(query)))


def list_tags(session: Session) -> list[tuple[str, int]]:
    """Every tag with its number of articles, most used first."""
    count = func.count(m.ArticleTag.article_id)
    rows = session.execute(
        select(m.Tag.name, count)
        .join(m.ArticleTag, m.ArticleTag.tag_id == m.Tag.id)
        .group_by(m.Tag.name)
        .order_by(count.desc(), m.Tag.name)
    )
    return [(name, n) for name, n in rows]


def rebuild_search_index(session: Session) -> int:
    """Re-index every article text (after a tokenizer change); returns how many."""
    rows = [
        IndexRow(r.id, r.title, r.summary, index_body(r.title, r.plain))
        for r in session.execute(
            select(
                m.ArticleText.id, m.ArticleText.title, m.ArticleText.summary, m.ArticleText.plain
            )
        )
    ]
    rebuild_index(session, rows)
    return len(rows)
