"""Readers' subscriptions and preferences. Data functions: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from digestbot.chinese_script import Script
from digestbot.model import Lang, ReaderRhythm
from digestbot.store.db import conflict_insert
from digestbot.store.models import (
    ArticleTag,
    Subscriber,
    SubscriberState,
    SubscriberTag,
    Tag,
    utc_now,
)

__all__ = [
    "Profile",
    "SubscriberCounts",
    "TagInfo",
    "ensure_subscriber",
    "get_profile",
    "set_language",
    "set_other_language",
    "set_schedule",
    "set_state",
    "set_tags",
    "subscriber_counts",
    "tag_catalog",
    "toggle_tag",
    "toggle_tag_id",
]


@dataclass(frozen=True, slots=True)
class Profile:
    """What the bot knows about one reader's chat."""

    chat_id: int
    user_id: int | None
    language: Lang
    timezone: str
    digest_time: time
    state: SubscriberState
    tags: tuple[str, ...]  # followed tags, sorted; empty means every tag
    script: Script = Script.HANS  # how the reader reads Chinese
    other_language: bool = True  # also offered articles not in their language (model.offered_to)
    rhythm: ReaderRhythm = field(default_factory=ReaderRhythm)  # digest days, quiet hours


@dataclass(frozen=True, slots=True)
class SubscriberCounts:
    """Readers by state and, among active ones, by language."""

    by_state: dict[SubscriberState, int]
    active_by_language: dict[Lang, int]


@dataclass(frozen=True, slots=True)
class TagInfo:
    """A tag as the /tags keyboard shows it: id (for callback data), name, article count."""

    id: int
    name: str
    articles: int


def tag_catalog(session: Session) -> list[TagInfo]:
    """Every tag in the store with its number of articles, most used first, then by name."""
    count = func.count(ArticleTag.article_id)
    rows = session.execute(
        select(Tag.id, Tag.name, count)
        .outerjoin(ArticleTag, ArticleTag.tag_id == Tag.id)
        .group_by(Tag.id, Tag.name)
        .order_by(count.desc(), Tag.name)
    )
    return [TagInfo(tag_id, name, n) for tag_id, name, n in rows]


def get_profile(session: Session, chat_id: int) -> Profile | None:
    """The reader of ``chat_id``, or None if the chat never started the bot."""
    row = session.get(Subscriber, chat_id)
    return None if row is None else _profile(session, row)


def ensure_subscriber(
    session: Session,
    chat_id: int,
    *,
    user_id: int | None,
    language: Lang,
    timezone: str,
    digest_time: time,
    now: datetime | None = None,
    script: Script = Script.HANS,
) -> tuple[Profile, bool]:
    """The reader of ``chat_id``, created active with these defaults if new; and whether new.

    ``now`` is the sign-up time (the bot's clock, which the sandbox moves; default: real time):
    it decides whether today's digest is still to come.
    """
    row = session.get(Subscriber, chat_id)
    if row is not None:
        return _profile(session, row), False
    signed_up = now if now is not None else utc_now()
    new_row = {
        "chat_id": chat_id,
        "user_id": user_id,
        "language": language,
        "script": script,
        "timezone": timezone,
        "digest_time": digest_time,
        "state": SubscriberState.ACTIVE,
        "created_at": signed_up,
        "updated_at": signed_up,
    }
    # Two processes may take a /start of one chat at once: the second one's row is not added
    # (PostgreSQL makes it wait for the first one's commit) and it reads the first one's.
    insert_new = conflict_insert(session, Subscriber).values(new_row)
    inserted = insert_new.on_conflict_do_nothing(index_elements=["chat_id"]).returning(
        Subscriber.chat_id
    )  # RETURNING: psycopg's rowcount of this INSERT is -1
    created = session.execute(inserted).first() is not None
    row = _row(session, chat_id)
    return _profile(session, row), created


def set_state(session: Session, chat_id: int, state: SubscriberState) -> Profile:
    """Subscribe, unsubscribe or mark blocked."""
    row = _row(session, chat_id)
    row.state = state
    return _profile(session, row)


def set_language(
    session: Session, chat_id: int, language: Lang, script: Script | None = None
) -> Profile:
    """Store the reader's language choice (and script, when given)."""
    row = _row(session, chat_id)
    row.language = language
    if script is not None:
        row.script = script
    return _profile(session, row)


def set_other_language(session: Session, chat_id: int, on: bool) -> Profile:
    """Whether the reader is also offered articles not available in their language."""
    row = _row(session, chat_id)
    row.other_language = on
    return _profile(session, row)


def set_schedule(
    session: Session, chat_id: int, *, timezone: str | None = None, digest_time: time | None = None
) -> Profile:
    """Change the digest time and/or time zone (already validated by the caller)."""
    row = _row(session, chat_id)
    if timezone is not None:
        row.timezone = timezone
    if digest_time is not None:
        row.digest_time = digest_time
    return _profile(session, row)


def set_tags(session: Session, chat_id: int, tags: Iterable[str]) -> Profile:
    """Follow exactly ``tags`` (unknown tags are ignored); none means every tag."""
    row = _row(session, chat_id)
    names = sorted({tag.lower() for tag in tags})
    tag_ids = session.scalars(select(Tag.id).where(Tag.name.in_(names))).all() if names else []
    mine = SubscriberTag.chat_id == chat_id
    held = set(session.scalars(select(SubscriberTag.tag_id).where(mine)))
    session.execute(delete(SubscriberTag).where(mine, SubscriberTag.tag_id.not_in(tag_ids)))
    added = [tag_id for tag_id in tag_ids if tag_id not in held]  # kept ones stay (instant)
    if added:
        session.execute(
            insert(SubscriberTag), [{"chat_id": chat_id, "tag_id": tag_id} for tag_id in added]
        )
    return _profile(session, row)


def toggle_tag(session: Session, chat_id: int, tag: str) -> Profile:
    """Follow ``tag`` if not followed, else stop following it."""
    current = set(_tags(session, chat_id))
    current.symmetric_difference_update({tag.lower()})
    return set_tags(session, chat_id, current)


def toggle_tag_id(session: Session, chat_id: int, tag_id: int) -> tuple[Profile, str] | None:
    """Toggle the tag with ``tag_id``: the profile and tag name, or None if the tag is gone."""
    name = session.scalar(select(Tag.name).where(Tag.id == tag_id))
    if name is None:
        return None
    return toggle_tag(session, chat_id, name), name


def subscriber_counts(session: Session) -> SubscriberCounts:
    """Counts for the admin's /stats."""
    states = session.execute(select(Subscriber.state, func.count()).group_by(Subscriber.state))
    by_state = dict(states.all())
    languages = session.execute(
        select(Subscriber.language, func.count())
        .where(Subscriber.state == SubscriberState.ACTIVE)
        .group_by(Subscriber.language)
    )
    by_language = dict(languages.all())
    return SubscriberCounts(
        by_state={state: by_state.get(state, 0) for state in SubscriberState},
        active_by_language={lang: by_language.get(lang, 0) for lang in Lang},
    )


def _row(session: Session, chat_id: int) -> Subscriber:
    row = session.get(Subscriber, chat_id)
    if row is None:
        raise LookupError(f"chat {chat_id} has no subscriber row; call ensure_subscriber first")
    return row


def _tags(session: Session, chat_id: int) -> tuple[str, ...]:
    query = (
        select(Tag.name)
        .join(SubscriberTag, SubscriberTag.tag_id == Tag.id)
        .where(SubscriberTag.chat_id == chat_id)
        .order_by(Tag.name)
    )
    return tuple(session.scalars(query))


def _profile(session: Session, row: Subscriber) -> Profile:
    return Profile(
        chat_id=row.chat_id,
        user_id=row.user_id,
        language=row.language,
        timezone=row.timezone,
        digest_time=row.digest_time,
        state=row.state,
        tags=_tags(session, row.chat_id),
        script=row.script,
        other_language=row.other_language,
        rhythm=ReaderRhythm(row.rhythm, row.weekly_day, row.paused_until, row.quiet_hours),
    )
