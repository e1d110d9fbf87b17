"""Planning digests: who is due, what is new for them, and the outbox rows, in one transaction.

Data functions: the caller owns the session and commits. What is new for a reader: articles whose
id is above the watermark of their last digest (``last_article_id``: the newest article id the
store held when it was planned), matching their tags (none followed: all), within the optional
maximum age, and never in a digest of theirs before (``digest_articles``, checked as well). An
article loaded late with an old date has a new id, so it still arrives once. A digest shows the
newest ``max_articles`` and counts the rest ("…and N more"); those are covered by the watermark
and do not come back in a later digest. The "more" button sends them (:func:`digest_rest`):
they are the articles of the digest's window (above the reader's previous watermark, up to its
own) that match the reader's tags and are in no digest of theirs. They are not written down at
planning: that doubled its time (BENCHMARKS.md); tags changed since the digest change the rest.

Scheduled digests take ``sequence`` 0 of their local date, so UNIQUE(chat_id, local_date,
sequence) with INSERT ... ON CONFLICT DO NOTHING makes a second tick plan nothing. ``/digest``
(``force``) takes the next sequence of the day, or 0 when today's scheduled one is due and not
yet made. Readers are handled in chunks; those sharing (language, script, other-language setting,
zone, date, new articles) share one composition, and rows go in with one executemany per table
and chunk.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from digestbot.chinese_script import Script
from digestbot.config import Settings
from digestbot.digest.compose import (
    BlockCache,
    ComposedMessage,
    DigestContent,
    compose_digest,
    digest_markup,
)
from digestbot.digest.due import (
    CHUNK,
    ArticlePool,
    DueReader,
    due_zones,
    forced_readers,
    had_articles,
    load_pool,
    reader_tags,
    scheduled_readers,
    watermarks_of,
)
from digestbot.digest.instant import plan_instant_pushes
from digestbot.digest.schedule import local_today
from digestbot.model import Lang, StoredArticle
from digestbot.store import models as m
from digestbot.store.articles import get_articles, offered_clause
from digestbot.store.bulk import insert_returning, insert_rows, table_of

__all__ = [
    "DigestMessage",
    "DigestRest",
    "PlanReport",
    "PlannedDigest",
    "digest_message",
    "digest_rest",
    "plan_due_digests",
    "plan_in_batches",
    "preview_messages",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlannedDigest:
    """A digest written to the outbox (``messages`` may be 0: an empty scheduled digest)."""

    chat_id: int
    digest_id: int
    local_date: date
    sequence: int
    messages: int
    articles: int


SHOWN_PLANNED = 1_000  # digests a report lists one by one; its counts cover all of them
_CACHED_COMPOSITIONS = 20_000  # compositions kept for readers alike; more: start again


@dataclass(frozen=True, slots=True)
class PlanReport:
    """What one planning pass did: counts, and the first ``SHOWN_PLANNED`` digests one by one
    (for a summary or a test; a million readers do not make a million records in memory)."""

    due: int = 0  # readers considered
    planned: tuple[PlannedDigest, ...] = ()  # the first SHOWN_PLANNED digests
    skipped: int = 0  # already planned by someone else, or nothing new on /digest
    pushes: int = 0  # instant pushes queued (digestbot.digest.instant)
    digests: int = 0  # digests written
    digest_messages: int = 0  # their outbox rows

    @property
    def messages(self) -> int:
        """Outbox rows written."""
        return self.digest_messages + self.pushes

    def add(self, due: int, done: Sequence[PlannedDigest]) -> PlanReport:
        """This report and one more batch: ``due`` readers considered, ``done`` planned."""
        room = SHOWN_PLANNED - len(self.planned)
        return replace(
            self,
            due=self.due + due,
            planned=self.planned + tuple(done[:room]) if room > 0 else self.planned,
            skipped=self.skipped + due - len(done),
            digests=self.digests + len(done),
            digest_messages=self.digest_messages + sum(p.messages for p in done),
        )


T = TypeVar("T")
RunInTransaction = Callable[[Callable[[Session], T]], T]
"""Runs a unit of work in a transaction: the caller's one, or a new one each (batches)."""


@dataclass
class _Planner:
    now: datetime
    settings: Settings
    cache: BlockCache
    session: Session | None = None  # the current batch's
    pool: ArticlePool | None = None
    pool_floor: int = 0  # the watermark the pool was loaded above
    articles: dict[int, StoredArticle] = field(default_factory=dict)
    composed: dict[tuple[Any, ...], _Composition] = field(default_factory=dict)
    composition_ids: dict[str, int] = field(default_factory=dict)  # stored, by fingerprint
    fresh: dict[tuple[Any, ...], tuple[int, ...]] = field(default_factory=dict)

    def begin(self, session: Session, watermarks: Iterable[int]) -> ArticlePool:
        """Start a batch in ``session``: the pool must reach down to its lowest watermark (the
        newest article id stays the one of the first batch: one tick, one watermark)."""
        self.session = session
        floor = min(watermarks, default=0)
        if self.pool is None or floor < self.pool_floor:
            max_age = self.settings.digest.max_age_days
            self.pool = load_pool(
                session.connection(),
                floor,
                self.now - timedelta(days=max_age) if max_age else None,
                None if self.pool is None else self.pool.top_id,
            )
            self.pool_floor = floor
            self.fresh.clear()
        if len(self.composed) > _CACHED_COMPOSITIONS:  # memory stays flat
            self.composed.clear()
            self.composition_ids.clear()
        if len(self.fresh) > _CACHED_COMPOSITIONS:
            self.fresh.clear()
        return self.pool

    @property
    def db(self) -> Session:
        assert self.session is not None, "begin a batch first"
        return self.session

    def new_for(
        self, watermark: int, tags: frozenset[str], had: set[int] | None, reader: DueReader
    ) -> tuple[int, ...]:
        """The pool's new articles for a reader, shared by readers alike (nothing had above)."""
        assert self.pool is not None
        lang, other = reader.lang, reader.other_language
        if had:
            return self.pool.new_for(watermark, tags, had, lang, other)
        key = (watermark, tags, None if other else lang)
        found = self.fresh.get(key)
        if found is None:
            found = self.fresh[key] = self.pool.new_for(watermark, tags, set(), lang, other)
        return found


def plan_due_digests(
    session: Session,
    now: datetime,
    settings: Settings,
    *,
    force: bool = False,
    chat_ids: Sequence[int] | None = None,
) -> PlanReport:
    """Plan every due digest, then the instant pushes due, all in ``session``'s transaction;
    ``force``: a digest now for each active reader (or ``chat_ids``), no pushes."""

    def run(work: Callable[[Session], T]) -> T:
        return work(session)

    return plan_in_batches(run, now, settings, force=force, chat_ids=chat_ids)


def plan_in_batches(
    run: RunInTransaction[Any],
    now: datetime,
    settings: Settings,
    *,
    force: bool = False,
    chat_ids: Sequence[int] | None = None,
) -> PlanReport:
    """Plan as :func:`plan_due_digests` does, a batch of readers (by chat id) per ``run``: with a
    new transaction each, memory and transactions stay small however many readers there are, and
    planning stopped anywhere (a crash) resumes where it stopped (what is made is not due)."""
    report = _plan_digests(run, now, settings, force=force, chat_ids=chat_ids)
    if force or chat_ids is not None:
        return report
    return replace(report, pushes=run(lambda s: plan_instant_pushes(s, now, settings)))


def _plan_digests(
    run: RunInTransaction[Any],
    now: datetime,
    settings: Settings,
    *,
    force: bool,
    chat_ids: Sequence[int] | None,
) -> PlanReport:
    planner = _Planner(now, settings, BlockCache(settings.reader.tag_label))
    zones: list[str | None] = [None] if force else run(due_zones)
    report = PlanReport()
    for zone in zones:
        after: int | None = None
        while True:
            batch = partial(
                _plan_batch, planner=planner, zone=zone, after=after, force=force, chat_ids=chat_ids
            )
            due, done, after = run(batch)
            report = report.add(due, done)
            if after is None:
                break
    return report


def _plan_batch(
    session: Session,
    *,
    planner: _Planner,
    zone: str | None,
    after: int | None,
    force: bool,
    chat_ids: Sequence[int] | None,
) -> tuple[int, list[PlannedDigest], int | None]:
    """Plan the next batch of readers (of ``zone``; all when forced) above chat id ``after``:
    how many were due, the digests planned, and where the next batch starts (None: done)."""
    now = planner.now
    if zone is None:
        due, last = forced_readers(session, now, chat_ids, after=after)
    else:
        due, last = scheduled_readers(session, now, zone, chat_ids, after=after)
    if not due:
        return 0, [], last
    watermarks = watermarks_of(session.connection(), [d.chat_id for d in due])
    planner.begin(session, (watermarks.get(d.chat_id, 0) for d in due))
    return len(due), _plan_chunk(planner, due, watermarks, force=force), last


def _plan_chunk(
    planner: _Planner, chunk: Sequence[DueReader], watermarks: dict[int, int], *, force: bool
) -> list[PlannedDigest]:
    """Plan one chunk of readers: select what is new, compose it (once for readers alike) and
    store each composition once, insert the digests (a reader another process planned already
    is skipped) and their messages; returns those written."""
    new = _new_articles(planner, chunk, watermarks, force=force)
    readers = [d for d in chunk if d.chat_id in new]
    _load_articles(
        planner,
        {i for fresh in new.values() for i in fresh[: planner.settings.digest.max_articles]},
    )
    composed = {d.chat_id: _compose(planner, d, new[d.chat_id]) for d in readers}
    stored = _store_compositions(planner, {c.fingerprint: c for c in composed.values()})
    digest_ids = _insert_digests(
        planner,
        [
            _DigestRow.of(d, len(new[d.chat_id]), stored.get(composed[d.chat_id].fingerprint))
            for d in readers
        ],
    )
    planned: list[PlannedDigest] = []
    outbox: list[tuple[int, int, int, int | None]] = []
    for d in readers:
        digest_id = digest_ids.get(d.chat_id)
        if digest_id is None:
            continue
        composition = composed[d.chat_id]
        composition_id = stored.get(composition.fingerprint)
        outbox.extend((d.chat_id, digest_id, c.seq, composition_id) for c in composition.messages)
        planned.append(
            PlannedDigest(
                d.chat_id,
                digest_id,
                d.local_date,
                d.sequence,
                len(composition.messages),
                composition.articles,
            )
        )
    _insert_messages(planner, outbox)
    return planned


class _DigestRow(NamedTuple):
    """A ``digests`` row to insert (``last_article_id`` and ``created_at`` are the tick's)."""

    chat_id: int
    local_date: date
    sequence: int
    lang: Lang
    total: int  # new articles for the reader, shown or counted in "…and N more"
    composition_id: int | None  # None: nothing to send (an empty digest)

    @classmethod
    def of(cls, reader: DueReader, total: int, composition_id: int | None) -> _DigestRow:
        return cls(
            reader.chat_id, reader.local_date, reader.sequence, reader.lang, total, composition_id
        )


@dataclass(frozen=True, slots=True)
class _Composition:
    """A digest's messages as composed for readers alike, and the hash that stores them once."""

    lang: Lang
    script: Script
    messages: tuple[ComposedMessage, ...]
    fingerprint: str = ""

    @classmethod
    def of(cls, lang: Lang, script: Script, messages: Sequence[ComposedMessage]) -> _Composition:
        rendered = [(c.seq, c.text, c.article_ids, c.more) for c in messages]
        what = json.dumps([lang.value, script.value, rendered], ensure_ascii=False)
        return cls(lang, script, tuple(messages), hashlib.sha256(what.encode()).hexdigest())

    @property
    def articles(self) -> int:
        """How many articles its messages show."""
        return sum(len(c.article_ids) for c in self.messages)

    def rows(self, composition_id: int) -> Iterator[tuple[int, int, str, str, str | None]]:
        """Its ``composition_messages`` rows."""
        for c in self.messages:
            markup = markup_template(c, self.lang, self.script) if c.article_ids else None
            ids = ",".join(map(str, c.article_ids))
            yield composition_id, c.seq, c.text, ids, markup


def _new_articles(
    planner: _Planner, chunk: Sequence[DueReader], watermarks: dict[int, int], *, force: bool
) -> dict[int, tuple[int, ...]]:
    """The new article ids of each reader in ``chunk`` who gets a digest (on ``/digest``,
    ``force``, a reader with nothing new gets none)."""
    connection = planner.db.connection()
    ids = [d.chat_id for d in chunk]
    tags = reader_tags(connection, ids)
    had = had_articles(connection, ids, min(watermarks.get(i, 0) for i in ids))
    new: dict[int, tuple[int, ...]] = {}
    for d in chunk:
        fresh = planner.new_for(
            watermarks.get(d.chat_id, 0), tags.get(d.chat_id, frozenset()), had.get(d.chat_id), d
        )
        if fresh or not force:
            new[d.chat_id] = fresh
    return new


def _insert_digests(planner: _Planner, rows: Sequence[_DigestRow]) -> dict[int, int]:
    """Insert the digests; the new digest id by chat (a digest already there is left out)."""
    assert planner.pool is not None
    top_id = planner.pool.top_id
    added = insert_returning(
        planner.db.connection(),
        table_of(m.Digest),
        _DigestRow._fields,
        rows,
        conflict=("chat_id", "local_date", "sequence"),
        returning=("chat_id", "id"),
        constants={"last_article_id": top_id, "created_at": planner.now},
    )
    return dict(added)


def _store_compositions(planner: _Planner, found: dict[str, _Composition]) -> dict[str, int]:
    """The id of each composition with messages, stored now unless it was before (by this
    planner or another: a composition is stored once, whoever plans)."""
    ids = planner.composition_ids
    missing = sorted(f for f, c in found.items() if c.messages and f not in ids)
    if missing:
        connection = planner.db.connection()
        added = dict(
            insert_returning(
                connection,
                table_of(m.Composition),
                ("fingerprint",),
                [(f,) for f in missing],
                conflict=("fingerprint",),
                returning=("fingerprint", "id"),
                constants={"created_at": planner.now},
            )
        )
        insert_rows(
            connection,
            table_of(m.CompositionMessage),
            ("composition_id", "seq", "text", "article_ids", "markup"),
            (row for f, i in added.items() for row in found[f].rows(i)),
            {"parse_mode": "HTML"},
        )
        ids.update(added)
        if len(added) < len(missing):  # stored before, by a planner that stopped or another
            c = m.Composition
            query = select(c.fingerprint, c.id).where(
                c.fingerprint.in_([f for f in missing if f not in added])
            )
            ids.update(dict(planner.db.execute(query).all()))
    return {f: ids[f] for f in found if f in ids}


def _insert_messages(planner: _Planner, outbox: Sequence[tuple[int, int, int, int | None]]) -> None:
    """Insert the digests' messages (chat, digest, seq, composition), pending from now: the text
    is the composition's."""
    constants = {
        "text": "",
        "parse_mode": "HTML",
        "state": m.OutboxState.PENDING,
        "attempts": 0,
        "next_attempt_at": planner.now,
        "created_at": planner.now,
    }
    insert_rows(
        planner.db.connection(),
        table_of(m.OutboxMessage),
        ("chat_id", "digest_id", "seq", "composition_id"),
        outbox,
        constants,
    )


_DIGEST_SENTINEL = 9_007_199_254_740_991  # stands for the digest id in markup templates


def markup_template(message: ComposedMessage, shown: Lang, script: Script) -> str:
    """``digest_markup`` of ``message`` as JSON text with ``{digest}`` for the reader's digest id
    (:func:`~digestbot.store.outbox.fill_markup` puts it in)."""
    markup = digest_markup(
        _DIGEST_SENTINEL, message.seq, shown, script=script, more=bool(message.more)
    )
    return json.dumps(markup, ensure_ascii=False).replace(str(_DIGEST_SENTINEL), "{digest}")


def _load_articles(planner: _Planner, ids: set[int]) -> None:
    missing = sorted(ids - planner.articles.keys())
    for start in range(0, len(missing), CHUNK):
        for article in get_articles(planner.db, missing[start : start + CHUNK]):
            planner.articles[article.id] = article


def _compose(planner: _Planner, d: DueReader, fresh: tuple[int, ...]) -> _Composition:
    """The reader's messages, composed once per (language, script, other-language setting, zone,
    date, new articles)."""
    key = (d.lang, d.script, d.other_language, d.timezone, d.local_date, fresh)
    found = planner.composed.get(key)
    if found is None:
        shown = [
            planner.articles[i]
            for i in fresh[: planner.settings.digest.max_articles]
            if i in planner.articles
        ]
        content = DigestContent(
            d.lang, d.timezone, d.local_date, shown, len(fresh), script=d.script
        )
        messages = compose_digest(
            planner.cache, content, send_empty=planner.settings.digest.send_empty
        )
        found = planner.composed[key] = _Composition.of(d.lang, d.script, messages)
    return found


def preview_messages(
    session: Session,
    lang: Lang,
    tags: Sequence[str],
    since: datetime | None,
    now: datetime,
    settings: Settings,
    other_language: bool = True,
) -> list[ComposedMessage]:
    """The messages a reader with ``lang`` and ``tags`` (and the other-language setting) would
    get now for articles since ``since``.

    Nothing is written: the switch buttons get digest id 0.
    """
    max_age = settings.digest.max_age_days
    oldest = now - timedelta(days=max_age) if max_age else None
    if since is not None:
        oldest = since if oldest is None else max(oldest, since)
    pool = load_pool(session.connection(), 0, oldest)
    wanted = frozenset(t.strip().lower() for t in tags if t.strip())
    fresh = pool.new_for(0, wanted, set(), lang, other_language)
    shown = get_articles(session, list(fresh[: settings.digest.max_articles]))
    timezone = settings.digest.timezone
    content = DigestContent(lang, timezone, local_today(now, timezone), shown, len(fresh))
    return compose_digest(
        BlockCache(settings.reader.tag_label), content, send_empty=settings.digest.send_empty
    )


@dataclass(frozen=True, slots=True)
class DigestMessage:
    """What one delivered digest message showed, to render it again in another language."""

    digest_id: int
    seq: int
    local_date: date
    total: int
    articles: tuple[StoredArticle, ...]  # newest first
    with_header: bool
    more: int  # the "and N more" count when this is the digest's last message


def digest_message(
    session: Session, digest_id: int, seq: int, chat_id: int
) -> DigestMessage | None:
    """Message ``seq`` of ``chat_id``'s digest ``digest_id`` (None: gone)."""
    digest = session.get(m.Digest, digest_id)
    if digest is None or digest.chat_id != chat_id:
        return None
    shown = _shown(session, digest.composition_id)
    articles = sorted(
        get_articles(session, list(shown.get(seq, ()))), key=lambda a: (a.date, a.id), reverse=True
    )
    if not articles:
        return None
    last = max(shown)
    count = sum(len(ids) for ids in shown.values())
    more = max(digest.total - count, 0) if seq == last else 0
    return DigestMessage(
        digest_id, seq, digest.local_date, digest.total, tuple(articles), seq == 0, more
    )


def _shown(session: Session, composition_id: int | None) -> dict[int, tuple[int, ...]]:
    """The article ids each message of a composition shows, by seq (those that show some)."""
    if composition_id is None:
        return {}
    cm = m.CompositionMessage
    rows = session.execute(
        select(cm.seq, cm.article_ids).where(cm.composition_id == composition_id)
    ).all()
    return {seq: tuple(int(i) for i in ids.split(",")) for seq, ids in rows if ids}


@dataclass(frozen=True, slots=True)
class DigestRest:
    """One page of the articles a digest counted but did not show ("…and N more")."""

    local_date: date
    articles: tuple[StoredArticle, ...]  # newest first
    left: int  # how many come after this page


def digest_rest(
    session: Session, digest_id: int, chat_id: int, offset: int, limit: int, max_age_days: int = 0
) -> DigestRest | None:
    """Up to ``limit`` of the articles ``chat_id``'s digest counted but did not show, from
    ``offset`` of them, newest first (None: no such digest of this chat, or nothing there).
    Only articles offered to the reader now count (their language and other-language setting)."""
    digest = session.get(m.Digest, digest_id)
    reader = session.get(m.Subscriber, chat_id)
    if digest is None or digest.chat_id != chat_id or reader is None:
        return None
    earlier = select(func.max(m.Digest.last_article_id)).where(
        m.Digest.chat_id == chat_id, m.Digest.id < digest_id
    )
    a = m.Article
    shown = [i for ids in _shown(session, digest.composition_id).values() for i in ids]
    pushed = select(m.InstantPush.article_id).where(
        m.InstantPush.chat_id == chat_id, m.InstantPush.article_id == a.id
    )
    query = select(a.id).where(
        a.id > (session.scalar(earlier) or 0),
        a.id <= digest.last_article_id,
        a.id.not_in(shown),
        ~pushed.exists(),  # an instant push had it
    )
    if max_age_days:
        query = query.where(a.date >= digest.created_at - timedelta(days=max_age_days))
    offered = offered_clause(reader.language, reader.other_language)
    if offered is not None:
        query = query.where(offered)
    tags = reader_tags(session.connection(), [chat_id]).get(chat_id)
    if tags:
        tagged = (
            select(m.ArticleTag.article_id)
            .join(m.Tag, m.Tag.id == m.ArticleTag.tag_id)
            .where(m.ArticleTag.article_id == a.id, m.Tag.name.in_(tags))
        )
        query = query.where(tagged.exists())
    ids = session.scalars(query.order_by(a.date.desc(), a.id.desc())).all()
    page = ids[offset : offset + limit]
    if not page:
        return None
    articles = sorted(get_articles(session, page), key=lambda a: (a.date, a.id), reverse=True)
    return DigestRest(digest.local_date, tuple(articles), max(len(ids) - offset - limit, 0))
