"""Readers' rhythms and instant tags. Data functions: the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from digestbot.model import ReaderRhythm
from digestbot.store.models import Article, Subscriber, SubscriberTag, Tag

__all__ = ["FollowedTag", "followed_tags", "instant_tags", "set_rhythm", "toggle_instant"]


@dataclass(frozen=True, slots=True)
class FollowedTag:
    """A tag the reader follows: its id (for callback data), name, and whether it is instant."""

    id: int
    name: str
    instant: bool


def set_rhythm(session: Session, chat_id: int, rhythm: ReaderRhythm) -> None:
    """Store the reader's rhythm (already validated by the caller)."""
    session.execute(
        update(Subscriber)
        .where(Subscriber.chat_id == chat_id)
        .values(
            rhythm=rhythm.rhythm,
            weekly_day=rhythm.weekly_day,
            paused_until=rhythm.paused_until,
            quiet_hours=rhythm.quiet_hours,
        )
    )


def instant_tags(session: Session, chat_id: int) -> frozenset[str]:
    """The followed tags the reader marked instant."""
    query = (
        select(Tag.name)
        .join(SubscriberTag, SubscriberTag.tag_id == Tag.id)
        .where(SubscriberTag.chat_id == chat_id, SubscriberTag.instant_after.is_not(None))
    )
    return frozenset(session.scalars(query))


def followed_tags(session: Session, chat_id: int) -> tuple[FollowedTag, ...]:
    """The tags the reader follows, by name, each with whether it is instant."""
    query = (
        select(Tag.id, Tag.name, SubscriberTag.instant_after.is_not(None))
        .join(SubscriberTag, SubscriberTag.tag_id == Tag.id)
        .where(SubscriberTag.chat_id == chat_id)
        .order_by(Tag.name)
    )
    return tuple(FollowedTag(i, name, bool(instant)) for i, name, instant in session.execute(query))


def toggle_instant(session: Session, chat_id: int, tag_id: int) -> bool | None:
    """Mark a followed tag instant, or not any more: whether it is instant now (None: the reader
    does not follow it). Marked, only articles loaded from now on are pushed."""
    row = session.get(SubscriberTag, (chat_id, tag_id))
    if row is None:
        return None
    if row.instant_after is None:
        row.instant_after = session.scalar(select(func.max(Article.id))) or 0
    else:
        row.instant_after = None
    session.flush()
    return row.instant_after is not None
