"""One Telegram budget per bot token, shared by every sending process of one PostgreSQL database.

Telegram's global limit (30 messages a second, up to 1000 with paid broadcasts) belongs to the
token, not to a process. Every sender holds an owner advisory lock while it lives
(:mod:`~digestbot.delivery.claims`), so the locks visible in ``pg_locks`` are the live senders.
:class:`SharedBudget` counts them twice a second, on a thread of its own, and paces this
process at ``budget / count`` (:class:`~digestbot.delivery.pacing.RateShare`):

- a new sender sends nothing for ``JOIN_SECONDS``, by when the others have counted it and slowed;
- a sender that dies drops its lock with its session, and the survivors take up its share at
  their next count;
- when the count cannot be refreshed (database trouble), the share falls to a safe 1 message/s
  after ``STALE_SECONDS`` until the database answers again.

The process's interactive replies pace on the same :class:`~digestbot.delivery.pacing.GlobalPace`,
so they share its part. SQLite needs none of this: one sender per database
(:mod:`~digestbot.delivery.sender_lock`).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from digestbot.delivery.pacing import GlobalPace, RateShare
from digestbot.store import outbox

__all__ = ["COUNT_SECONDS", "SharedBudget"]

COUNT_SECONDS = 0.5  # how often the live senders are counted (three times within JOIN_SECONDS)
_log = logging.getLogger(__name__)


class SharedBudget:
    """Keeps ``pace`` at this process's share of the token's budget (the pace's rate when made)."""

    def __init__(self, sessions: sessionmaker[Session], pace: GlobalPace) -> None:
        self._sessions = sessions
        self._pace = pace
        self._budget = pace.rate
        self._share: RateShare | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="budget")
        self._pending: Future[int] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def share(self) -> RateShare | None:
        """The current share (None before :meth:`join`)."""
        return self._share

    @property
    def joined(self) -> bool:
        """Whether :meth:`join` has run (and :meth:`close` not since)."""
        return self._task is not None

    async def join(self) -> None:
        """Count the senders once (this process's owner lock must be held), hold every send for
        ``JOIN_SECONDS`` and keep counting in the background until :meth:`close`."""
        loop = asyncio.get_running_loop()
        self._share = RateShare(self._budget, loop.time())
        self._pace.pause_until(self._share.sends_from())
        await self._count()
        self._task = asyncio.create_task(self._keep_counting(), name="digestbot: send budget")

    def apply(self, now: float) -> float:
        """Pace at the share as of ``now`` (a stale count falls to the safe rate); returns it."""
        if self._share is None:
            return self._pace.rate
        rate = self._share.rate(now)
        if rate != self._pace.rate:
            self._pace.set_rate(rate)
        return rate

    def close(self) -> None:
        """Stop counting (the owner lock, given up elsewhere, tells the others)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
        self._thread.shutdown(wait=False, cancel_futures=True)

    async def _keep_counting(self) -> None:
        while True:
            await asyncio.sleep(COUNT_SECONDS)
            await self._count()

    async def _count(self) -> None:
        """Count the live senders, unless the last count is still waiting for the database (a
        stuck query is not queued behind: the share goes stale and falls to the safe rate)."""
        loop = asyncio.get_running_loop()
        if self._pending is None or self._pending.done():
            self._pending = self._thread.submit(self._live_senders)
        future = self._pending
        await asyncio.wait({asyncio.wrap_future(future)}, timeout=COUNT_SECONDS)
        if future.done() and self._share is not None:
            try:
                senders = future.result()
            except SQLAlchemyError as exc:
                _log.debug("send budget: cannot count the senders: %s", exc)
            else:
                self._share = self._share.counted(senders, loop.time())
            self._pending = None
        self.apply(loop.time())

    def _live_senders(self) -> int:
        with self._sessions() as session:
            return len(outbox.live_owners(session))
