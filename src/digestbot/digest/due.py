"""Who is due for a digest and which articles are new for them: the queries planning runs.

Data functions: the caller owns the session. See :mod:`digestbot.digest.plan` for the rules.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import ARRAY, BigInteger, ColumnElement, Connection, any_, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from digestbot.chinese_script import Script
from digestbot.digest.rhythm import is_digest_day
from digestbot.digest.schedule import (
    day_start,
    due_local_date,
    is_due,
    local_now,
    local_today,
)
from digestbot.model import Lang, ReaderRhythm, offered_to
from digestbot.store import models as m
from digestbot.store.articles import article_langs

__all__ = [
    "CHUNK",
    "ArticlePool",
    "DueReader",
    "among",
    "due_zones",
    "forced_readers",
    "had_articles",
    "load_pool",
    "reader_tags",
    "scheduled_readers",
    "watermarks_of",
]

log = logging.getLogger(__name__)
CHUNK = 5000  # readers per batch (a transaction) and round of statements; keeps IN lists short


@dataclass(frozen=True, slots=True)
class DueReader:
    """A reader to plan a digest for: their language, zone, local date and digest sequence."""

    chat_id: int
    lang: Lang
    timezone: str
    local_date: date
    sequence: int
    script: Script = Script.HANS
    other_language: bool = True  # also articles not in ``lang`` (model.offered_to)


@dataclass(frozen=True, slots=True)
class ArticlePool:
    """Articles above the lowest watermark: (id, date, tags), newest first; their languages."""

    top_id: int
    items: tuple[tuple[int, datetime, frozenset[str]], ...]
    langs: Mapping[int, frozenset[Lang]] = field(default_factory=dict)

    def new_for(
        self,
        watermark: int,
        tags: frozenset[str],
        had: set[int],
        lang: Lang = Lang.ZH,
        other_language: bool = True,
    ) -> tuple[int, ...]:
        """Ids newer than ``watermark``, matching ``tags``, not in ``had``, offered to a reader
        of ``lang`` (:func:`~digestbot.model.offered_to`); newest first."""
        langs = self.langs
        return tuple(
            article_id
            for article_id, _, article_tags in self.items
            if article_id > watermark
            and article_id not in had
            and (not tags or not tags.isdisjoint(article_tags))
            and (other_language or offered_to(langs.get(article_id, ()), lang, other_language))
        )


def among(
    column: ColumnElement[int] | InstrumentedAttribute[int], ids: Sequence[int], dialect: str
) -> ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL ``= ANY(array)``, one parameter however many ids (a
    parameter each costs psycopg a parse of the statement and SQLAlchemy a rendering)."""
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(BigInteger())))
    return column.in_(ids)


def due_zones(session: Session) -> list[str]:
    """The time zones of active readers (scheduled planning goes zone by zone)."""
    s = m.Subscriber
    return sorted(
        session.scalars(
            select(s.timezone).where(s.state == m.SubscriberState.ACTIVE).distinct()
        ).all()
    )


def scheduled_readers(
    session: Session,
    now: datetime,
    zone: str,
    chat_ids: Sequence[int] | None,
    *,
    after: int | None = None,
    limit: int = CHUNK,
) -> tuple[list[DueReader], int | None]:
    """Active readers in ``zone`` whose digest time has passed today, whose rhythm has a digest
    today, and whose digest is not made yet: up to ``limit`` of them by chat id above ``after``
    (None: from the first). Returns them and the last chat id read (None: the zone is done)."""
    s = m.Subscriber
    try:
        local = local_now(now, zone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("skipping readers with the unknown time zone %r", zone)
        return [], None
    query = select(
        s.chat_id,
        s.language,
        s.script,
        s.digest_time,
        s.created_at,
        s.rhythm,
        s.weekly_day,
        s.paused_until,
        s.other_language,
    ).where(
        s.state == m.SubscriberState.ACTIVE,
        s.timezone == zone,
        s.digest_time <= local.time(),
    )
    if chat_ids is not None:
        query = query.where(s.chat_id.in_(chat_ids))
    if after is not None:
        query = query.where(s.chat_id > after)
    today_began = day_start(local.date(), zone)  # readers who joined before: due
    rows = session.execute(query.order_by(s.chat_id).limit(limit)).all()
    # Made already: asked by id apart, not as NOT EXISTS in the query above (on a digests table
    # whose statistics lag behind a big first tick, PostgreSQL may scan it once per reader).
    made = set(
        session.scalars(
            select(m.Digest.chat_id).where(
                among(m.Digest.chat_id, [r[0] for r in rows], session.get_bind().dialect.name),
                m.Digest.local_date == local.date(),
                m.Digest.sequence == 0,
            )
        )
    )
    due: list[DueReader] = []
    for chat_id, lang, script, digest_time, created_at, rhythm, day, until, other in rows:
        if chat_id in made or not is_digest_day(ReaderRhythm(rhythm, day, until), local.date()):
            continue
        if created_at < today_began or is_due(now, zone, digest_time, created_at):
            due.append(DueReader(chat_id, lang, zone, local.date(), 0, script, other))
    return due, (rows[-1][0] if len(rows) == limit else None)


def forced_readers(
    session: Session,
    now: datetime,
    chat_ids: Sequence[int] | None,
    *,
    after: int | None = None,
    limit: int = CHUNK,
) -> tuple[list[DueReader], int | None]:
    """Every active reader (or exactly ``chat_ids``, whatever their state), due now: up to
    ``limit`` by chat id above ``after``, and the last chat id read (None: no more)."""
    s = m.Subscriber
    query = select(s.chat_id, s.language, s.timezone, s.digest_time, s.script, s.other_language)
    if chat_ids is None:
        query = query.where(s.state == m.SubscriberState.ACTIVE)
    else:
        query = query.where(s.chat_id.in_(chat_ids))
    if after is not None:
        query = query.where(s.chat_id > after)
    rows = session.execute(query.order_by(s.chat_id).limit(limit)).all()
    last = rows[-1][0] if len(rows) == limit else None
    readers = []
    for chat_id, lang, name, digest_time, script, other in rows:
        try:
            local = local_today(now, name)
            readers.append((chat_id, lang, name, local, digest_time, script, other))
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("chat %s has the unknown time zone %r", chat_id, name)
    if not readers:
        return [], last
    days = {r[3] for r in readers}
    taken: dict[tuple[int, date], int] = {}
    digest = m.Digest
    taken_query = (
        select(digest.chat_id, digest.local_date, func.max(digest.sequence))
        .where(
            digest.local_date.in_(days),
            among(digest.chat_id, [r[0] for r in readers], session.get_bind().dialect.name),
        )
        .group_by(digest.chat_id, digest.local_date)
    )
    for chat_id, day, sequence in session.execute(taken_query):
        taken[(chat_id, day)] = sequence
    due = []
    for chat_id, lang, name, day, digest_time, script, other in readers:
        last_sequence = taken.get((chat_id, day))
        scheduled_now = last_sequence is None and due_local_date(now, name, digest_time) == day
        sequence = 0 if scheduled_now else (last_sequence or 0) + 1
        due.append(DueReader(chat_id, lang, name, day, sequence, script, other))
    return due, last


def watermarks_of(connection: Connection, chat_ids: Sequence[int]) -> dict[int, int]:
    """Each reader's highest ``last_article_id`` (absent: no digest yet)."""
    found: dict[int, int] = {}
    for start in range(0, len(chat_ids), CHUNK):
        part = chat_ids[start : start + CHUNK]
        rows = connection.execute(
            select(m.Digest.chat_id, func.max(m.Digest.last_article_id))
            .where(among(m.Digest.chat_id, part, connection.dialect.name))
            .group_by(m.Digest.chat_id)
        )
        found.update(dict(rows.all()))
    return found


def load_pool(
    connection: Connection, watermark: int, oldest: datetime | None, top: int | None = None
) -> ArticlePool:
    """Articles above ``watermark`` (and newer than ``oldest``) with their tags and languages,
    up to ``top`` (None: the newest there is)."""
    a = m.Article
    if top is None:
        top = connection.execute(select(func.max(a.id))).scalar() or 0
    query = select(a.id, a.date).where(a.id > watermark, a.id <= top)
    if oldest is not None:
        query = query.where(a.date >= oldest)
    rows = connection.execute(query.order_by(a.date.desc(), a.id.desc())).all()
    tags: dict[int, set[str]] = defaultdict(set)
    tag_rows = connection.execute(
        select(m.ArticleTag.article_id, m.Tag.name)
        .join(m.Tag, m.Tag.id == m.ArticleTag.tag_id)
        .where(m.ArticleTag.article_id > watermark, m.ArticleTag.article_id <= top)
    )
    for article_id, name in tag_rows:
        tags[article_id].add(name)
    items = tuple((i, d, frozenset(tags.get(i, ()))) for i, d in rows)
    return ArticlePool(top, items, article_langs(connection, above=watermark, upto=top))


def reader_tags(connection: Connection, chat_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """The tags each reader in ``chat_ids`` follows (absent: none, i.e. every article)."""
    rows = connection.execute(
        select(m.SubscriberTag.chat_id, m.Tag.name)
        .join(m.Tag, m.Tag.id == m.SubscriberTag.tag_id)
        .where(among(m.SubscriberTag.chat_id, chat_ids, connection.dialect.name))
    )
    tags: dict[int, set[str]] = defaultdict(set)
    for chat_id, name in rows:
        tags[chat_id].add(name)
    return {chat_id: frozenset(names) for chat_id, names in tags.items()}


def had_articles(
    connection: Connection, chat_ids: Sequence[int], above: int
) -> dict[int, set[int]]:
    """Articles above ``above`` each reader already had other than in a digest: pushed on
    arrival (what a digest showed lies at or below the reader's watermark)."""
    rows = connection.execute(
        select(m.InstantPush.chat_id, m.InstantPush.article_id).where(
            among(m.InstantPush.chat_id, chat_ids, connection.dialect.name),
            m.InstantPush.article_id > above,
        )
    )
    had: dict[int, set[int]] = defaultdict(set)
    for chat_id, article_id in rows:
        had[chat_id].add(article_id)
    return had
