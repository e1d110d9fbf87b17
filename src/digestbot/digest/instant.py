"""Instant pushes: a new article with a tag a reader marked *instant* goes to them on its own.

Data functions: the caller owns the session and commits (the tick plans digests first, then
pushes, in one transaction). A push is for an article loaded after the tag was marked
(``subscriber_tags.instant_after``) and above the reader's digest watermark, that no digest of
theirs showed and that was not pushed before; ``instant_pushes`` (key: chat, article) with
INSERT ... ON CONFLICT DO NOTHING makes it exactly once whichever process plans, and only rows
inserted get an outbox message (sent with the sender's usual pacing). What a digest made in the
same tick covers is not pushed; what was pushed is not in a later digest (``had_articles``).
Pushes wait out quiet hours and pauses (:mod:`digestbot.digest.rhythm`): an article still
unpushed when the next digest is made arrives in that digest instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from digestbot.chinese_script import Script
from digestbot.config import Settings
from digestbot.digest.compose import BlockCache
from digestbot.digest.due import had_articles, load_pool, watermarks_of
from digestbot.digest.rhythm import push_allowed
from digestbot.digest.schedule import local_now
from digestbot.model import Lang, ReaderRhythm
from digestbot.store import models as m
from digestbot.store.articles import get_articles
from digestbot.store.bulk import insert_returning, insert_rows, table_of

__all__ = ["MAX_PUSHES_PER_TICK", "PUSH_MARK", "InstantReader", "plan_instant_pushes"]

MAX_PUSHES_PER_TICK = 5  # per reader; more wait for the next tick (a burst of files)
PUSH_MARK = "⚡ "


@dataclass(frozen=True, slots=True)
class InstantReader:
    """A reader with instant tags: how they read, and each instant tag's ``instant_after``."""

    chat_id: int
    lang: Lang
    script: Script
    timezone: str
    rhythm: ReaderRhythm
    instant: dict[str, int]
    other_language: bool = True  # also articles not in ``lang`` (model.offered_to)


def instant_readers(session: Session) -> list[InstantReader]:
    """Active readers who marked at least one followed tag instant."""
    s, st = m.Subscriber, m.SubscriberTag
    rows = session.execute(
        select(
            s.chat_id,
            s.language,
            s.script,
            s.timezone,
            s.rhythm,
            s.weekly_day,
            s.paused_until,
            s.quiet_hours,
            s.other_language,
            m.Tag.name,
            st.instant_after,
        )
        .join(st, st.chat_id == s.chat_id)
        .join(m.Tag, m.Tag.id == st.tag_id)
        .where(s.state == m.SubscriberState.ACTIVE, st.instant_after.is_not(None))
    )
    readers: dict[int, InstantReader] = {}
    for chat_id, lang, script, zone, rhythm, day, until, quiet, other, tag, after in rows:
        reader = readers.get(chat_id)
        if reader is None:
            reader = readers[chat_id] = InstantReader(
                chat_id, lang, script, zone, ReaderRhythm(rhythm, day, until, quiet), {}, other
            )
        reader.instant[tag] = after or 0
    return list(readers.values())


def _may_push(reader: InstantReader, now: datetime) -> bool:
    try:
        return push_allowed(reader.rhythm, local_now(now, reader.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return False


def plan_instant_pushes(session: Session, now: datetime, settings: Settings) -> int:
    """Queue the pushes due now (at most ``MAX_PUSHES_PER_TICK`` per reader); the count."""
    readers = [r for r in instant_readers(session) if _may_push(r, now)]
    if not readers:
        return 0
    connection = session.connection()
    ids = [r.chat_id for r in readers]
    watermarks = watermarks_of(connection, ids)
    floor = {r.chat_id: max(min(r.instant.values()), watermarks.get(r.chat_id, 0)) for r in readers}
    lowest = min(floor.values())
    max_age = settings.digest.max_age_days
    pool = load_pool(connection, lowest, now - timedelta(days=max_age) if max_age else None)
    had = had_articles(connection, ids, lowest)
    wanted: dict[int, list[int]] = {}
    for r in readers:
        seen = had.get(r.chat_id, set())
        mark = watermarks.get(r.chat_id, 0)
        found = {
            article_id
            for tag, after in r.instant.items()
            for article_id in pool.new_for(
                max(after, mark), frozenset({tag}), seen, r.lang, r.other_language
            )
        }
        if found:
            wanted[r.chat_id] = sorted(found)[:MAX_PUSHES_PER_TICK]  # in the order loaded
    return _push(session, now, settings, [r for r in readers if r.chat_id in wanted], wanted)


def _push(
    session: Session,
    now: datetime,
    settings: Settings,
    readers: Sequence[InstantReader],
    wanted: dict[int, list[int]],
) -> int:
    """Record the pushes (those another planner recorded first are left out) and queue them."""
    if not readers:
        return 0
    connection = session.connection()
    added = insert_returning(
        connection,
        table_of(m.InstantPush),
        ("chat_id", "article_id"),
        [(chat_id, a) for chat_id, found in wanted.items() for a in found],
        conflict=("chat_id", "article_id"),
        returning=("chat_id", "article_id"),
        constants={"pushed_at": now},
    )
    pushed: dict[int, list[int]] = defaultdict(list)
    for chat_id, article_id in added:
        pushed[chat_id].append(article_id)
    articles = {a.id: a for a in get_articles(session, sorted({a for _, a in added}))}
    cache = BlockCache(settings.reader.tag_label)
    rows = []
    for r in readers:
        for article_id in sorted(pushed.get(r.chat_id, ())):
            article = articles.get(article_id)
            if article is None:
                continue
            block, _ = cache.block(article, r.lang, r.timezone, script=r.script)
            rows.append((r.chat_id, PUSH_MARK + block))
    insert_rows(
        connection,
        table_of(m.OutboxMessage),
        ("chat_id", "text"),
        rows,
        {
            "seq": 0,
            "parse_mode": "HTML",
            "state": m.OutboxState.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )
    return len(rows)
