"""Keeping the store small: messages that were sent, failed or dropped go after ``keep_days``,
and so do digests (but each reader's newest) and the compositions nobody needs any more.

An outbox row of a digest refers to its composition (the text, stored once for readers alike);
the outbox still grows by a row or two per reader per day, and digests by one. Which articles a
reader has had is their newest digest's watermark (kept) and their instant pushes, so a cleanup
never makes an article go out twice; only the delivery record of old messages goes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from digestbot.store import digests, outbox

__all__ = ["PRUNE_BATCH", "prune_digests", "prune_outbox"]

PRUNE_BATCH = 5_000  # rows per transaction: a big first cleanup never holds SQLite's lock long
_log = logging.getLogger(__name__)

RunInTransaction = Callable[[Callable[[Session], int]], Awaitable[int]]


Prune = Callable[..., int]  # (session, before, *, limit) -> rows changed


async def _in_batches(db: RunInTransaction, prune: Prune, before: datetime, batch: int) -> int:
    """Run ``prune`` a transaction at a time until a batch changes fewer than ``batch`` rows."""

    def one_batch(session: Session) -> int:
        return prune(session, before, limit=batch)

    total = 0
    while True:
        changed = await db(one_batch)
        total += changed
        if changed < batch:
            return total


async def prune_outbox(
    db: RunInTransaction, now: datetime, keep_days: int, *, batch: int = PRUNE_BATCH
) -> int:
    """Delete finished messages created more than ``keep_days`` before ``now``, ``batch`` rows
    per transaction run by ``db``; returns how many went."""
    before = now - timedelta(days=keep_days)
    total = await _in_batches(db, outbox.prune_finished, before, batch)
    if total:
        _log.info("outbox: deleted %d finished message(s) older than %d days", total, keep_days)
    return total


async def prune_digests(
    db: RunInTransaction, now: datetime, keep_days: int, *, batch: int = PRUNE_BATCH
) -> int:
    """Delete digests made more than ``keep_days`` before ``now`` but each reader's newest, then
    the compositions nobody refers to, ``batch`` rows per transaction run by ``db``; returns how
    many rows changed."""
    before = now - timedelta(days=keep_days)
    total = await _in_batches(db, digests.prune_digests, before, batch)
    total += await _in_batches(db, digests.prune_compositions, before, batch)
    if total:
        _log.info("digests: pruned %d row(s) older than %d days", total, keep_days)
    return total
