"""Article data functions: save, find, list. They take a Session and never commit."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from digestbot.model import Article, ArticleText, Lang, StoredArticle, required_lang
from digestbot.store import models as m
from digestbot.store.bulk import insert_rows, table_of
from digestbot.store.search_schema import (
    FOLDED,
    IndexRow,
    add_to_index,
    folded_phrases,
    index_body,
    index_values,
    rebuild_index,
    remove_from_index,
)

__all__ = [
    "LOAD_LOCK_KEY",
    "ArticleToSave",
    "PreparedIndex",
    "Saved",
    "article_langs",
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
    "offered_clause",
    "prepare_index",
    "rebuild_search_index",
    "refresh_folded",
    "save_article",
    "save_articles",
]


# "dg" + 2, beside the schema's hash: one process saving articles at a time (PostgreSQL), per
# installation (two schemas of one database do not wait for each other)
LOAD_LOCK_KEY = 0x64670002


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
        session.execute(
            select(func.pg_advisory_xact_lock(LOAD_LOCK_KEY, func.hashtext(func.current_schema())))
        )
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


PreparedIndex = Mapping[Lang, Mapping[str, str]]  # per language: what the search index stores


@dataclass(frozen=True, slots=True)
class ArticleToSave:
    """One article for :func:`save_articles`: the parsed article and the file it came from.

    ``index``, when given, is :func:`prepare_index` of the article for this database's dialect
    (a loader computes it in worker processes); otherwise it is computed while saving.
    """

    article: Article
    content_hash: str
    source_path: str
    index: PreparedIndex | None = None

    @property
    def key(self) -> str:
        """The article's key (unique in the store)."""
        return self.article.key

    def columns(self) -> dict[str, object]:
        """The ``articles`` columns this article sets (besides its key and the timestamps)."""
        a = self.article
        return {
            "url": a.url,
            "date": a.date,
            "author": a.author,
            "content_hash": self.content_hash,
            "source_path": self.source_path,
        }


class Saved(NamedTuple):
    """What :func:`save_articles` did with one article."""

    id: int
    created: bool  # False: an article with this key was there and is now replaced


class _NewText(NamedTuple):
    """One text to insert: its article's id, the text, and its prepared index values if any."""

    article_id: int
    text: ArticleText
    prepared: Mapping[str, str] | None


def save_article(
    session: Session, article: Article, *, content_hash: str, source_path: str
) -> Saved:
    """Insert or update (by key) ``article``, its texts, tags and search rows."""
    return save_articles(session, [ArticleToSave(article, content_hash, source_path)])[0]


def prepare_index(dialect: str, article: Article) -> dict[Lang, dict[str, str]]:
    """The search-index values of ``article``'s texts (pure, so a loader may compute them in
    worker processes and hand them to :func:`save_articles`)."""
    return {
        t.lang: index_values(dialect, t.title, t.summary, index_body(t.title, t.plain))
        for t in article.texts.values()
    }


def save_articles(session: Session, items: Sequence[ArticleToSave]) -> list[Saved]:
    """:func:`save_article` for many articles in a few statements, one :class:`Saved` each.

    Steps: the articles rows (update the keys the store has, insert the others), then their
    texts with the search index, then their tags. A key given twice is saved in order, so the
    later version wins.
    """
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        return [save_articles(session, [item])[0] for item in items]
    if not items:
        return []
    connection = session.connection()
    now = m.utc_now()
    ids = _article_ids(connection, keys)
    if ids:
        _forget_texts(connection, list(ids.values()))
        _update_articles(connection, [item for item in items if item.key in ids], ids, now)
    fresh = [item for item in items if item.key not in ids]
    if fresh:
        ids.update(_insert_articles(connection, fresh, now))
    _insert_texts(
        connection,
        [
            _NewText(ids[item.key], text, None if item.index is None else item.index.get(lang))
            for item in items
            for lang, text in item.article.texts.items()
        ],
    )
    _link_tags(connection, [(ids[item.key], item.article.tags) for item in items])
    created = {item.key for item in fresh}
    return [Saved(ids[key], key in created) for key in keys]


def _update_articles(
    connection: Connection,
    items: Sequence[ArticleToSave],
    ids: Mapping[str, int],
    now: datetime,
) -> None:
    """Overwrite the ``articles`` rows of ``items`` (their keys are in ``ids``)."""
    connection.execute(
        update(m.Article).where(m.Article.id == bindparam("article_id")),
        [{"article_id": ids[item.key], "updated_at": now, **item.columns()} for item in items],
    )


def _insert_articles(
    connection: Connection, items: Sequence[ArticleToSave], now: datetime
) -> dict[str, int]:
    """Insert the ``articles`` rows of ``items`` (new keys): their ids by key."""
    columns = ["key", *items[0].columns()]
    # One executemany, then the ids by key: RETURNING in parameter order would make
    # SQLAlchemy run one INSERT per row on SQLite.
    insert_rows(
        connection,
        table_of(m.Article),
        columns,
        [(item.key, *item.columns().values()) for item in items],
        {"created_at": now, "updated_at": now},
        process={"date"},
    )
    return _article_ids(connection, [item.key for item in items])


def _insert_texts(connection: Connection, texts: Sequence[_NewText]) -> None:
    """Insert ``texts`` (their articles have none left: see _forget_texts) and index them."""
    if not texts:
        return
    dialect = connection.dialect.name
    prepared = [
        n.prepared
        or index_values(
            dialect, n.text.title, n.text.summary, index_body(n.text.title, n.text.plain)
        )
        for n in texts
    ]
    insert_rows(
        connection,
        table_of(m.ArticleText),
        ["article_id", "lang", "title", "summary", "body", "plain", "key_terms", "folded"],
        [
            _text_row(n.article_id, n.text, values)
            for n, values in zip(texts, prepared, strict=True)
        ],
    )
    found = connection.execute(
        select(m.ArticleText.article_id, m.ArticleText.lang, m.ArticleText.id).where(
            m.ArticleText.article_id.in_({n.article_id for n in texts})
        )
    )
    text_ids = {(row.article_id, row.lang): row.id for row in found}
    add_to_index(
        connection,
        [
            IndexRow(
                text_ids[n.article_id, n.text.lang],
                n.text.title,
                n.text.summary,
                index_body(n.text.title, n.text.plain),
                values,
            )
            for n, values in zip(texts, prepared, strict=True)
        ],
    )


def _text_row(article_id: int, t: ArticleText, values: Mapping[str, str]) -> tuple[object, ...]:
    """The ``article_texts`` row of ``t`` (key terms as JSON text: psycopg would make a list an
    array; ``folded`` from its index values: see ``search_schema.folded_phrases``)."""
    return (
        article_id,
        t.lang.value,
        t.title,
        t.summary,
        t.body,
        t.plain,
        json.dumps(t.key_terms),
        values[FOLDED] or None,
    )


def _link_tags(connection: Connection, articles: Sequence[tuple[int, Sequence[str]]]) -> None:
    """Link each article id to its tags, in order (tags new to the store are created)."""
    tag_ids = _tag_ids(connection, (tag for _, tags in articles for tag in tags))
    links = [
        {"article_id": article_id, "tag_id": tag_ids[name], "position": position}
        for article_id, tags in articles
        for position, name in enumerate(tags)
    ]
    if links:
        connection.execute(insert(m.ArticleTag), links)


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


def article_langs(
    connection: Connection,
    *,
    ids: Iterable[int] | None = None,
    above: int | None = None,
    upto: int | None = None,
) -> dict[int, frozenset[Lang]]:
    """The languages of each article: those in ``ids`` and/or with ids in (``above``, ``upto``]."""
    t = m.ArticleText
    query = select(t.article_id, t.lang)
    if ids is not None:
        query = query.where(t.article_id.in_(list(ids)))
    if above is not None:
        query = query.where(t.article_id > above)
    if upto is not None:
        query = query.where(t.article_id <= upto)
    langs: dict[int, set[Lang]] = defaultdict(set)
    for article_id, lang in connection.execute(query):
        langs[article_id].add(lang)
    return {article_id: frozenset(found) for article_id, found in langs.items()}


def offered_clause(reader_lang: Lang, other_language: bool) -> ColumnElement[bool] | None:
    """:func:`digestbot.model.offered_to` as a condition on ``articles`` (None: every article)."""
    needed = required_lang(reader_lang, other_language)
    if needed is None:
        return None
    t = m.ArticleText
    return select(t.id).where(t.article_id == m.Article.id, t.lang == needed).exists()


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
    session: Session,
    *,
    tag: str | None = None,
    limit: int | None = None,
    offered: ColumnElement[bool] | None = None,
) -> list[StoredArticle]:
    """Articles newest first, optionally only those with ``tag`` (case-insensitive) and those
    ``offered`` to a reader (:func:`offered_clause`)."""
    query = select(m.Article).order_by(m.Article.date.desc(), m.Article.id.desc())
    if offered is not None:
        query = query.where(offered)
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


def refresh_folded(session: Session, batch: int = 2000) -> int:
    """Compute ``article_texts.folded`` of every stored text again (after a change to the
    tokenizer, beside :func:`rebuild_search_index`); returns how many texts have one."""
    connection = session.connection()
    text_ids = connection.execute(select(m.ArticleText.id).order_by(m.ArticleText.id)).scalars()
    ids = list(text_ids)
    count = 0
    for start in range(0, len(ids), batch):
        rows = connection.execute(
            select(
                m.ArticleText.id,
                m.ArticleText.title,
                m.ArticleText.summary,
                m.ArticleText.plain,
                m.ArticleText.folded,
            ).where(m.ArticleText.id.in_(ids[start : start + batch]))
        )
        changed = []
        for r in rows:
            folded = folded_phrases((r.title, r.summary, index_body(r.title, r.plain)))
            count += folded is not None
            if folded != r.folded:
                changed.append({"text_id": r.id, "folded": folded})
        if changed:
            connection.execute(
                update(m.ArticleText)
                .where(m.ArticleText.id == bindparam("text_id"))
                .values(folded=bindparam("folded")),
                changed,
            )
    return count


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
