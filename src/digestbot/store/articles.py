"""Article data functions: save, find, list. They take a Session and never commit."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from digestbot.articles.model import Article, ArticleText, Lang
from digestbot.store import models as m
from digestbot.store.bulk import insert_rows, table_of
from digestbot.store.search_schema import (
    IndexRow,
    add_to_index,
    index_body,
    index_values,
    rebuild_index,
    remove_from_index,
)

__all__ = [
    "LOAD_LOCK_KEY",
    "PreparedIndex",
    "StoredArticle",
    "article_tags",
    "article_urls",
    "count_articles",
    "find_article_state",
    "find_key_by_url",
    "get_article",
    "get_articles",
    "known_hashes",
    "list_articles",
    "list_tags",
    "lock_for_loading",
    "prepare_index",
    "rebuild_search_index",
    "save_article",
    "save_articles",
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


LOAD_LOCK_KEY = (
    0x6469676573740002  # "digest" + 2: one process saving articles at a time (PostgreSQL)
)


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


def lock_for_loading(session: Session, keys: Sequence[str]) -> dict[str, str]:
    """Make the session's transaction, from now until it ends, the only one saving articles
    (several processes may load the same files at once) and return the stored content hash
    of each of ``keys``, as of now: PostgreSQL takes a transaction-scoped advisory lock,
    SQLite its write lock (waiting up to its busy timeout). End any earlier transaction first:
    its reads may predate another loader's writes."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(LOAD_LOCK_KEY)))
    else:  # a write that changes nothing: SQLite takes its write lock as it begins
        session.execute(update(m.Article).where(m.Article.id < 0).values(id=m.Article.id))
    rows = session.execute(
        select(m.Article.key, m.Article.content_hash).where(m.Article.key.in_(keys))
    )
    return {row.key: row.content_hash for row in rows}


def find_key_by_url(session: Session, url: str) -> str | None:
    """The key of the article whose source URL is ``url``, or None."""
    return session.execute(select(m.Article.key).where(m.Article.url == url)).scalar()


def article_urls(session: Session) -> dict[str, str]:
    """Every article's ``source URL -> key``, for a loader to spot duplicates without queries."""
    rows = session.execute(select(m.Article.url, m.Article.key).where(m.Article.url.is_not(None)))
    return {row.url: row.key for row in rows}


def count_articles(session: Session) -> int:
    """How many articles the store holds."""
    return session.execute(select(func.count()).select_from(m.Article)).scalar_one()


def _tag_ids(connection: Connection, names: Iterable[str]) -> dict[str, int]:
    """Ids of the tags ``names``, creating the missing ones."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    rows = connection.execute(select(m.Tag.name, m.Tag.id).where(m.Tag.name.in_(wanted)))
    ids = {row.name: row.id for row in rows}
    missing = [{"name": name} for name in wanted if name not in ids]
    if missing:
        created = connection.execute(
            insert(m.Tag).returning(m.Tag.name, m.Tag.id, sort_by_parameter_order=True), missing
        )
        ids.update({row.name: row.id for row in created})
    return ids


def _article_ids(connection: Connection, keys: Sequence[str]) -> dict[str, int]:
    """``key -> id`` of the stored articles among ``keys``."""
    rows = connection.execute(select(m.Article.key, m.Article.id).where(m.Article.key.in_(keys)))
    return {row.key: row.id for row in rows}


def _forget_texts(connection: Connection, article_ids: Sequence[int]) -> None:
    """Remove articles' texts with their search index rows, and their tags."""
    old = connection.execute(
        select(
            m.ArticleText.id, m.ArticleText.title, m.ArticleText.summary, m.ArticleText.plain
        ).where(m.ArticleText.article_id.in_(article_ids))
    ).all()
    remove_from_index(
        connection, [IndexRow(r.id, r.title, r.summary, index_body(r.title, r.plain)) for r in old]
    )
    connection.execute(delete(m.ArticleText).where(m.ArticleText.article_id.in_(article_ids)))
    connection.execute(delete(m.ArticleTag).where(m.ArticleTag.article_id.in_(article_ids)))


SaveItem = tuple[Article, str, str]  # (article, content_hash, source_path)
_ARTICLE_COLUMNS = ("url", "date", "author", "content_hash", "source_path")


def save_article(
    session: Session, article: Article, *, content_hash: str, source_path: str
) -> tuple[int, bool]:
    """Insert or update (by key) ``article``, its texts, tags and search rows: ``(id, created)``."""
    return save_articles(session, [(article, content_hash, source_path)])[0]


PreparedIndex = Mapping[Lang, Mapping[str, str]]  # per language: what the search index stores


def prepare_index(dialect: str, article: Article) -> dict[Lang, dict[str, str]]:
    """The search-index values of ``article``'s texts (pure, so a loader may compute them in
    worker processes and hand them to :func:`save_articles`)."""
    return {
        t.lang: index_values(dialect, t.title, t.summary, index_body(t.title, t.plain))
        for t in article.texts.values()
    }


def save_articles(
    session: Session,
    items: Sequence[SaveItem],
    *,
    index: Sequence[PreparedIndex] | None = None,
) -> list[tuple[int, bool]]:
    """:func:`save_article` for many articles in a few statements: ``(id, created)`` each.

    ``index``, when given, holds :func:`prepare_index` of each item (for this database's dialect).
    """
    keys = [article.key for article, _, _ in items]
    if len(set(keys)) != len(keys):  # the same key twice: the later version wins, in order
        return [
            save_articles(session, [item], index=None if index is None else [index[i]])[0]
            for i, item in enumerate(items)
        ]
    if not items:
        return []
    connection = session.connection()
    now = m.utc_now()
    existing = _article_ids(connection, keys)
    values = [
        (article.url, article.date, article.author, content_hash, source_path)
        for article, content_hash, source_path in items
    ]
    if existing:
        _forget_texts(connection, list(existing.values()))
        connection.execute(
            update(m.Article).where(m.Article.id == bindparam("article_id")),
            [
                {
                    "article_id": existing[key],
                    "updated_at": now,
                    **dict(zip(_ARTICLE_COLUMNS, row, strict=True)),
                }
                for key, row in zip(keys, values, strict=True)
                if key in existing
            ],
        )
    fresh_keys = [key for key in keys if key not in existing]
    if fresh_keys:
        by_key = dict(zip(keys, values, strict=True))
        # One executemany, then the ids by key: RETURNING in parameter order would make
        # SQLAlchemy run one INSERT per row on SQLite.
        insert_rows(
            connection,
            table_of(m.Article),
            ["key", *_ARTICLE_COLUMNS],
            [(key, *by_key[key]) for key in fresh_keys],
            {"created_at": now, "updated_at": now},
            process={"date"},
        )
        existing.update(_article_ids(connection, fresh_keys))
    ids = [existing[key] for key in keys]
    _insert_texts(connection, [(ids[i], item[0]) for i, item in enumerate(items)], index)
    tag_ids = _tag_ids(connection, (tag for article, _, _ in items for tag in article.tags))
    links = [
        {"article_id": article_id, "tag_id": tag_ids[name], "position": position}
        for article_id, (article, _, _) in zip(ids, items, strict=True)
        for position, name in enumerate(article.tags)
    ]
    if links:
        connection.execute(insert(m.ArticleTag), links)
    created = set(fresh_keys)
    return [(article_id, key in created) for article_id, key in zip(ids, keys, strict=True)]


def _insert_texts(
    connection: Connection,
    articles: Sequence[tuple[int, Article]],
    index: Sequence[PreparedIndex] | None = None,
) -> None:
    """Insert the texts of ``articles`` and index them."""
    texts = [(article_id, t) for article_id, article in articles for t in article.texts.values()]
    prepared = [
        None if index is None else index[i].get(t.lang)
        for i, (_, article) in enumerate(articles)
        for t in article.texts.values()
    ]
    if not texts:
        return
    insert_rows(
        connection,
        table_of(m.ArticleText),
        ["article_id", "lang", "title", "summary", "body", "plain", "key_terms"],
        [
            # JSON as text: psycopg would take a list for an array
            (article_id, t.lang.value, t.title, t.summary, t.body, t.plain, json.dumps(t.key_terms))
            for article_id, t in texts
        ],
    )
    # The articles' texts are all new (see _forget_texts): their ids by (article, language).
    found = connection.execute(
        select(m.ArticleText.article_id, m.ArticleText.lang, m.ArticleText.id).where(
            m.ArticleText.article_id.in_({article_id for article_id, _ in articles})
        )
    )
    ids = {(row.article_id, row.lang): row.id for row in found}
    text_ids = [ids[article_id, t.lang] for article_id, t in texts]
    add_to_index(
        connection,
        [
            IndexRow(text_id, t.title, t.summary, index_body(t.title, t.plain), values)
            for text_id, (_, t), values in zip(text_ids, texts, prepared, strict=True)
        ],
    )


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
    rebuild_index(session.connection(), rows)
    return len(rows)
