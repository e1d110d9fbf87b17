"""Old digests and their compositions: what retention deletes. Data functions; the caller owns
the transaction.

A reader's newest digest stays whatever its age: its ``last_article_id`` is their watermark,
what keeps articles from coming twice. Older digests go after ``keep_days`` (their outbox rows
lose the reference, as a finished row is pruned by then anyway); a composition goes once it is
older than that by two days more (a composition serves one local date, so digests made from it
are as old) and no open outbox row still needs its text. Digests kept for their watermark let go
of their composition first (their buttons then say "no longer available", as a deleted
digest's do). There is no foreign key from digests or the outbox to compositions: a check per
deleted composition would scan them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, aliased

from digestbot.store.models import Composition, Digest, OutboxMessage, OutboxState

__all__ = ["COMPOSITION_MARGIN", "prune_compositions", "prune_digests"]

COMPOSITION_MARGIN = timedelta(days=2)
_OPEN = (OutboxState.PENDING, OutboxState.SENDING)


def prune_digests(session: Session, before: datetime, *, limit: int = 10_000) -> int:
    """Delete up to ``limit`` digests made before ``before`` that are not their reader's newest,
    and drop the composition of up to ``limit`` kept ones that old; returns how many rows
    changed (call again while it returns ``limit`` or more)."""
    newer = aliased(Digest)
    doomed = (
        select(Digest.id)
        .where(
            Digest.created_at < before,
            select(newer.id).where(newer.chat_id == Digest.chat_id, newer.id > Digest.id).exists(),
        )
        .limit(limit)
    )
    deleted = session.execute(delete(Digest).where(Digest.id.in_(doomed.scalar_subquery())))
    kept = (
        select(Digest.id)
        .where(Digest.created_at < before, Digest.composition_id.is_not(None))
        .limit(limit)
    )
    cleared = session.execute(
        update(Digest)
        .where(Digest.id.in_(kept.scalar_subquery()))
        .values(composition_id=None)
        .execution_options(synchronize_session=False)
    )
    return int(deleted.rowcount) + int(cleared.rowcount)  # type: ignore[attr-defined]


def prune_compositions(session: Session, before: datetime, *, limit: int = 10_000) -> int:
    """Delete up to ``limit`` compositions made before ``before`` less ``COMPOSITION_MARGIN``
    that no open outbox row needs (their messages go with them); returns how many."""
    waiting = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state.in_(_OPEN), OutboxMessage.composition_id == Composition.id)
        .exists()
    )
    doomed = (
        select(Composition.id)
        .where(Composition.created_at < before - COMPOSITION_MARGIN, ~waiting)
        .limit(limit)
    )
    result = session.execute(
        delete(Composition).where(Composition.id.in_(doomed.scalar_subquery()))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
