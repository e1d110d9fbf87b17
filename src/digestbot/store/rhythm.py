"""Readers' rhythms and instant tags. Data functions: the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from digestbot.model import ReaderRhythm
from digestbot.store.models import Article, Subscriber, SubscriberTag, Tag

__all__ = ["instant_tags", "set_rhythm", "toggle_instant"]


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
