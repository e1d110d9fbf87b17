"""Keeping the outbox small: messages that were sent, failed or dropped go after ``keep_days``.

Each outbox row holds a whole rendered message, so the outbox grows by about a digest per reader
per day. Which articles a reader has had is recorded apart (``digest_articles``) and kept, so a
cleanup never makes an article go out twice; only the delivery record of old messages goes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from digestbot.store import outbox

__all__ = ["PRUNE_BATCH", "prune_outbox"]

PRUNE_BATCH = 5_000  # rows per transaction: a big first cleanup never holds SQLite's lock long
_log = logging.getLogger(__name__)

RunInTransaction = Callable[[Callable[[Session], int]], Awaitable[int]]


async def prune_outbox(
    db: RunInTransaction, now: datetime, keep_days: int, *, batch: int = PRUNE_BATCH
) -> int:
    """Delete finished messages created more than ``keep_days`` before ``now``, ``batch`` rows
    per transaction run by ``db``; returns how many went."""
    before = now - timedelta(days=keep_days)

    def one_batch(session: Session) -> int:
        return outbox.prune_finished(session, before, limit=batch)

    total = 0
    while True:
        removed = await db(one_batch)
        total += removed
        if removed < batch:
            break
    if total:
        _log.info("outbox: deleted %d finished message(s) older than %d days", total, keep_days)
    return total
