"""What digests showed (the article ids of their compositions' messages), for assertions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from digestbot.store import models as m

__all__ = ["shown_article_ids"]


def shown_article_ids(
    session: Session, *, chat_id: int | None = None, digest_id: int | None = None
) -> list[int]:
    """The ids of the articles the digests of ``chat_id`` (or digest ``digest_id``) showed, in
    the order of digests and messages (an id twice: shown twice)."""
    d, cm = m.Digest, m.CompositionMessage
    query = (
        select(cm.article_ids).join(d, d.composition_id == cm.composition_id).order_by(d.id, cm.seq)
    )
    if chat_id is not None:
        query = query.where(d.chat_id == chat_id)
    if digest_id is not None:
        query = query.where(d.id == digest_id)
    return [int(i) for ids in session.scalars(query) for i in ids.split(",") if i]
