"""Planning digests: who is due, what is new for them, and the outbox rows, in one transaction.

Data functions: the caller owns the session and commits. What is new for a reader: articles whose
id is above the watermark of their last digest (``last_article_id``: the newest article id the
store held when it was planned), matching their tags (none followed: all), within the optional
maximum age, and never in a digest of theirs before (``digest_articles``, checked as well). An
article loaded late with an old date has a new id, so it still arrives once. A digest shows the
newest ``max_articles`` and counts the rest ("…and N more"); those are covered by the watermark
and do not come back.

Scheduled digests take ``sequence`` 0 of their local date, so UNIQUE(chat_id, local_date,
sequence) with INSERT ... ON CONFLICT DO NOTHING makes a second tick plan nothing. ``/digest``
(``force``) takes the next sequence of the day, or 0 when today's scheduled one is due and not
yet made. Readers are handled in chunks; those sharing (language, script, zone, date, new articles)
share one composition, and rows go in with one executemany per table and chunk.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import repeat
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from digestbot.articles.model import Lang
from digestbot.chinese_script import Script
from digestbot.config import Settings
from digestbot.digest.compose import (
    CALLBACK_PREFIX,
    BlockCache,
    ComposedMessage,
    DigestContent,
    compose_digest,
    switch_markup,
)
from digestbot.digest.schedule import local_today
from digestbot.store import models as m
from digestbot.store.articles import StoredArticle, get_articles
from digestbot.store.bulk import insert_returning, insert_rows, table_of
from digestbot.store.due import (
    CHUNK,
    ArticlePool,
    DueReader,
    forced_readers,
    had_articles,
    load_pool,
    reader_tags,
    scheduled_readers,
    watermarks_of,
)

__all__ = [
    "DigestMessage",
    "PlanReport",
    "PlannedDigest",
    "digest_message",
    "plan_due_digests",
    "preview_messages",
]

log = logging.getLogger(__name__)
_LINK_COLUMNS = ("chat_id", "article_id", "digest_id", "seq")
_OUTBOX_COLUMNS = ("chat_id", "digest_id", "seq", "text", "reply_markup")


@dataclass(frozen=True, slots=True)
class PlannedDigest:
    """A digest written to the outbox (``messages`` may be 0: an empty scheduled digest)."""

    chat_id: int
    digest_id: int
    local_date: date
    sequence: int
    messages: int
    articles: int


@dataclass(frozen=True, slots=True)
class PlanReport:
    """What one planning pass did."""

    due: int = 0  # readers considered
    planned: tuple[PlannedDigest, ...] = ()
    skipped: int = 0  # already planned by someone else, or nothing new on /digest

    @property
    def messages(self) -> int:
        """Outbox rows written."""
        return sum(p.messages for p in self.planned)


@dataclass
class _Planner:
    session: Session
    now: datetime
    settings: Settings
    cache: BlockCache
    pool: ArticlePool
    articles: dict[int, StoredArticle] = field(default_factory=dict)
    composed: dict[tuple[Any, ...], list[ComposedMessage]] = field(default_factory=dict)
    fresh: dict[tuple[int, frozenset[str]], tuple[int, ...]] = field(default_factory=dict)

    def new_for(
        self, watermark: int, tags: frozenset[str], had: set[int] | None
    ) -> tuple[int, ...]:
        """The pool's new articles for a reader, shared by readers alike (nothing had above)."""
        if had:
            return self.pool.new_for(watermark, tags, had)
        key = (watermark, tags)
        found = self.fresh.get(key)
        if found is None:
            found = self.fresh[key] = self.pool.new_for(watermark, tags, set())
        return found


def plan_due_digests(
    session: Session,
    now: datetime,
    settings: Settings,
    *,
    force: bool = False,
    chat_ids: Sequence[int] | None = None,
) -> PlanReport:
    """Plan every due digest; ``force``: one now for each active reader (or ``chat_ids``)."""
    due = (
        forced_readers(session, now, chat_ids)
        if force
        else scheduled_readers(session, now, chat_ids)
    )
    if not due:
        return PlanReport()
    connection = session.connection()
    watermarks = watermarks_of(connection, [d.chat_id for d in due])
    max_age = settings.digest.max_age_days
    planner = _Planner(
        session,
        now,
        settings,
        BlockCache(settings.reader.tag_label),
        load_pool(
            connection,
            min(watermarks.get(d.chat_id, 0) for d in due),
            now - timedelta(days=max_age) if max_age else None,
        ),
    )
    planned: list[PlannedDigest] = []
    skipped = 0
    for chunk in _chunks(due, CHUNK):
        done = _plan_chunk(planner, chunk, watermarks, force=force)
        planned.extend(done)
        skipped += len(chunk) - len(done)
    return PlanReport(due=len(due), planned=tuple(planned), skipped=skipped)


def _chunks(items: Sequence[DueReader], size: int) -> Iterator[Sequence[DueReader]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _plan_chunk(
    planner: _Planner, chunk: Sequence[DueReader], watermarks: dict[int, int], *, force: bool
) -> list[PlannedDigest]:
    """Compose and insert the digests of one chunk of readers; returns those written."""
    connection = planner.session.connection()
    ids = [d.chat_id for d in chunk]
    tags = reader_tags(connection, ids)
    had = had_articles(connection, ids, min(watermarks.get(i, 0) for i in ids))
    max_articles = planner.settings.digest.max_articles
    new: dict[int, tuple[int, ...]] = {}
    for d in chunk:
        fresh = planner.new_for(
            watermarks.get(d.chat_id, 0), tags.get(d.chat_id, frozenset()), had.get(d.chat_id)
        )
        if fresh or not force:
            new[d.chat_id] = fresh
    _load_articles(planner, {i for fresh in new.values() for i in fresh[:max_articles]})
    digest_rows = [
        (d.chat_id, d.local_date, d.sequence, d.lang, len(new[d.chat_id]))
        for d in chunk
        if d.chat_id in new
    ]
    added = insert_returning(
        connection,
        table_of(m.Digest),
        ("chat_id", "local_date", "sequence", "lang", "total"),
        digest_rows,
        conflict=("chat_id", "local_date", "sequence"),
        returning=("chat_id", "id"),
        constants={"last_article_id": planner.pool.top_id, "created_at": planner.now},
    )
    digest_ids: dict[int, int] = dict(added)
    links: list[tuple[int, int, int, int]] = []
    outbox: list[tuple[int, int, int, str, str | None]] = []
    planned = []
    for d in chunk:
        digest_id = digest_ids.get(d.chat_id)
        if digest_id is None:
            continue
        composed = _compose(planner, d, new[d.chat_id])
        for message in composed:
            shown_ids = message.article_ids
            links.extend(zip(repeat(d.chat_id), shown_ids, repeat(digest_id), repeat(message.seq)))
            markup = _markup_json(digest_id, message.seq, d.lang, d.script) if shown_ids else None
            outbox.append((d.chat_id, digest_id, message.seq, message.text, markup))
        shown = sum(len(message.article_ids) for message in composed)
        planned.append(
            PlannedDigest(d.chat_id, digest_id, d.local_date, d.sequence, len(composed), shown)
        )
    insert_rows(connection, table_of(m.DigestArticle), _LINK_COLUMNS, links)
    constants = {
        "parse_mode": "HTML",
        "state": m.OutboxState.PENDING,
        "attempts": 0,
        "next_attempt_at": planner.now,
        "created_at": planner.now,
    }
    insert_rows(connection, table_of(m.OutboxMessage), _OUTBOX_COLUMNS, outbox, constants)
    return planned


@cache
def _markup_parts(shown: Lang, script: Script) -> tuple[str, str]:
    """``switch_markup`` JSON for ``shown`` cut around its callback data."""
    sample = switch_markup(0, 0, shown, script)
    data = sample["inline_keyboard"][0][0]["callback_data"]
    before, after = json.dumps(sample, ensure_ascii=False).split(json.dumps(data))
    return f'{before}"{CALLBACK_PREFIX}', after


def _markup_json(digest_id: int, seq: int, shown: Lang, script: Script) -> str:
    """``switch_markup`` as JSON text (it is made per message: no dict, no encoder run)."""
    before, after = _markup_parts(shown, script)
    return f'{before}:{digest_id}:{seq}:{shown.other.value}"{after}'


def _load_articles(planner: _Planner, ids: set[int]) -> None:
    missing = sorted(ids - planner.articles.keys())
    for start in range(0, len(missing), CHUNK):
        for article in get_articles(planner.session, missing[start : start + CHUNK]):
            planner.articles[article.id] = article


def _compose(planner: _Planner, d: DueReader, fresh: tuple[int, ...]) -> list[ComposedMessage]:
    """The reader's messages, composed once per (language, script, zone, date, new articles)."""
    key = (d.lang, d.script, d.timezone, d.local_date, fresh)
    found = planner.composed.get(key)
    if found is None:
        shown = [
            planner.articles[i]
            for i in fresh[: planner.settings.digest.max_articles]
            if i in planner.articles
        ]
        content = DigestContent(d.lang, d.timezone, d.local_date, shown, len(fresh), d.script)
        found = compose_digest(
            planner.cache, content, send_empty=planner.settings.digest.send_empty
        )
        planner.composed[key] = found
    return found


def preview_messages(
    session: Session,
    lang: Lang,
    tags: Sequence[str],
    since: datetime | None,
    now: datetime,
    settings: Settings,
) -> list[ComposedMessage]:
    """The messages a reader with ``lang`` and ``tags`` would get now for articles since ``since``.

    Nothing is written: the switch buttons get digest id 0.
    """
    max_age = settings.digest.max_age_days
    oldest = now - timedelta(days=max_age) if max_age else None
    if since is not None:
        oldest = since if oldest is None else max(oldest, since)
    pool = load_pool(session.connection(), 0, oldest)
    fresh = pool.new_for(0, frozenset(t.strip().lower() for t in tags if t.strip()), set())
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
    rows = session.execute(
        select(m.DigestArticle.article_id, m.DigestArticle.seq).where(
            m.DigestArticle.digest_id == digest_id
        )
    ).all()
    ids = [article_id for article_id, at in rows if at == seq]
    articles = sorted(get_articles(session, ids), key=lambda a: (a.date, a.id), reverse=True)
    if not articles:
        return None
    last = max(at for _, at in rows)
    more = max(digest.total - len(rows), 0) if seq == last else 0
    return DigestMessage(
        digest_id, seq, digest.local_date, digest.total, tuple(articles), seq == 0, more
    )
