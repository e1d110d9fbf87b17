"""The outbox sender: claims due messages, sends them paced, and records what Telegram said.

Pacing: evenly spaced global slots at ``rate_per_second`` (up to 1000/s with paid broadcasts),
``per_chat_interval`` between two messages to one private chat and 3 s to a group, shared with
the bot's interactive replies (:class:`~digestbot.delivery.pacing.ChatPace`); several sends in
flight at once. Telegram's
answers::

    accepted                -> SENT with the message id (only now)
    RetryAfter (429)        -> PENDING again after retry_after; every send pauses as long
    Forbidden (403)         -> reader BLOCKED, their open messages DROPPED, never retried
    BadRequest (400)        -> FAILED with Telegram's description, not retried
    NetworkError, TimedOut  -> retried with exponential backoff and jitter; FAILED after
    (5xx, dropped, timeout)    max_attempts with the last reason
    InvalidToken (401/404)  -> the sender stops (SenderError); unsent rows go back to PENDING

Several processes may send from one PostgreSQL outbox (rows are claimed with SKIP LOCKED); they
share Telegram's limits for the token: each paces at its part of the global rate
(:mod:`~digestbot.delivery.budget`), and a chat's next message waits a full interval after the
last one any process sent it (``last_sent_at`` of the claim). A dead process's messages in flight
are taken back within seconds (:mod:`~digestbot.delivery.claims`). From a SQLite outbox one
process sends at a time (:class:`~digestbot.delivery.sender_lock.SenderLock`).

It sends through an :class:`~digestbot.delivery.transport.OutboxBot`: no AIORateLimiter and no
retries of its own, so this module's pacing is what controls the rate; as many sends in flight as
the bot has connections. Database work runs on one worker thread, in small transactions.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from digestbot.config import DeliverySettings
from digestbot.delivery.budget import SharedBudget
from digestbot.delivery.claims import ClaimOwner, OrphanSweep
from digestbot.delivery.outcomes import DrainReport, Outcome, write_outcomes
from digestbot.delivery.pacing import ChatPace, backoff_delay, send_rate
from digestbot.delivery.sender_lock import SenderLock
from digestbot.delivery.transport import OutboxBot
from digestbot.errors import DigestbotError
from digestbot.monitoring.metrics import Client, FailReason, Metrics, RetryReason
from digestbot.store import outbox
from digestbot.store.db import in_transaction
from digestbot.store.health import is_outage
from digestbot.store.models import utc_now
from digestbot.store.outbox import OutboxRow, Sent

__all__ = [
    "DrainReport",
    "OutboxSender",
    "SenderError",
    "SenderHooks",
    "retry_after_seconds",
]

SWEEP_SECONDS = 1.0  # how often a sender looks for a dead one's messages (PostgreSQL)
SLOT_SLACK = 0.002  # seconds a send may go before its slot; the long-run rate stays exact
CATCH_UP = 0.02  # seconds of slots a sender woken late still takes (its long-run rate stays exact)
# Seconds outcomes gather before they are written: a transaction costs the sender ~0.7 ms of CPU
# however few rows it writes, so at hundreds a second fewer, larger writes pay; a process killed
# meanwhile leaves at most this long's accepted sends unrecorded (sent again: see claims).
FLUSH_GATHER = 0.05
STOP_CHECK_SECONDS = 0.1  # how often a waiting sender looks whether it was told to stop
T = TypeVar("T")
_log = logging.getLogger(__name__)
FLOOD_WAIT, NETWORK = RetryReason.FLOOD_WAIT.value, RetryReason.NETWORK.value
REJECTED, ATTEMPTS = FailReason.REJECTED.value, FailReason.ATTEMPTS.value


class SenderError(DigestbotError):
    """The sender cannot go on (e.g. Telegram rejects the token)."""


def _ignore(*_: object) -> None:
    """A hook nobody listens to."""


@dataclass(frozen=True, slots=True)
class SenderHooks:
    """What the sender tells the rest of the bot: messages that failed for good (how many in a
    batch), a flood wait (seconds Telegram asked for), a database error, and a round that
    reached the database again."""

    failed: Callable[[int], None] = _ignore
    flood_wait: Callable[[float], None] = _ignore
    database_error: Callable[[SQLAlchemyError], None] = _ignore
    database_answered: Callable[[], None] = _ignore


class OutboxSender:
    """Drains the outbox through ``bot``; one instance per process, used from one event loop."""

    def __init__(
        self,
        bot: OutboxBot,
        sessions: sessionmaker[Session],
        delivery: DeliverySettings,
        *,
        concurrency: int | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        rate: float | None = None,
        pace: ChatPace | None = None,
        metrics: Metrics | None = None,
        hooks: SenderHooks | None = None,
    ) -> None:
        """``pace`` is shared with whatever else sends with this token in this process (the bot's
        replies); without one the sender paces alone. ``rate`` overrides the paced rate
        (benchmarks); by default it is the configured one, capped at Telegram's 30/s, or 1000/s
        with paid broadcasts. ``metrics`` counts what becomes of each message; ``hooks`` hear
        what the admins should know of (failures for good, long flood waits, database errors)."""
        if pace is None:
            if rate is None:
                rate = send_rate(delivery.rate_per_second, paid_broadcast=delivery.paid_broadcast)
            pace = ChatPace.for_rate(rate, delivery.per_chat_interval)
        self.bot = bot
        self.sessions = sessions
        self.delivery = delivery
        self.concurrency = concurrency or bot.pool_size
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.clock = clock
        self._rng = rng or random.Random()
        self._chat_pace = pace
        self.metrics = metrics if metrics is not None else Metrics()
        self.hooks = hooks if hooks is not None else SenderHooks()
        self._pace = pace.rate
        self._spacing = pace.chats
        self._db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")
        self._wake = asyncio.Event()
        self._outcomes: list[Outcome] = []
        self._outcome_ready = asyncio.Event()
        self._flushes = 0
        self._idle = asyncio.Event()
        self._fatal: SenderError | None = None
        self._flushing = False
        self.lock = SenderLock.for_engine(sessions.kw.get("bind"))
        self.owner = ClaimOwner(sessions.kw.get("bind"))
        self.budget = SharedBudget(sessions, pace.rate) if self.owner.shared else None
        self._orphans = OrphanSweep()
        self._next_sweep = float("-inf")  # loop time of the next look for a dead sender's rows
        self._orphans_at: float | None = None  # loop time a dead sender's rows may be taken

    @property
    def rate(self) -> float:
        """The global rate in messages per second."""
        return self._pace.rate

    def wake(self) -> None:
        """New messages are due: a waiting :meth:`run` drains again now."""
        self._wake.set()

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until the current drain has written every outcome and returned."""
        await asyncio.wait_for(self._idle.wait(), timeout)

    async def db(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction on the sender's database thread."""
        return await in_transaction(self.sessions, work, self._db_thread)

    @property
    def shared_database(self) -> bool:
        """Whether other sender processes may share the outbox (PostgreSQL)."""
        return self.owner.shared

    def try_lock(self) -> bool:
        """Take the right to send (SQLite: one sender process per database); False while another
        process has it. :meth:`recover` and :meth:`drain` take it themselves or fail."""
        return self.lock.acquire()

    def _require_lock(self) -> None:
        if not self.lock.acquire():
            raise SenderError(
                "another digestbot process is sending from this database's outbox "
                f"(it holds {self.lock.path})"
            )

    async def recover(self) -> int:
        """Return rows left SENDING by a crashed process to PENDING; returns how many.

        On SQLite every SENDING row (one sender process: see :meth:`try_lock`); on PostgreSQL,
        where other live processes may have rows in flight, those of a sender gone for a few
        seconds or with an expired lease (the rest of a process that just died follows during
        :meth:`drain`).
        """
        self._require_lock()
        now = self.clock()
        if self.shared_database:
            self._next_sweep = asyncio.get_running_loop().time() + SWEEP_SECONDS
            count = await self.db(lambda s: (self.owner.ensure(), self._sweep(s, now))[1])
        else:
            count = await self.db(lambda s: outbox.recover_sending(s, now))
        if count:
            _log.info(
                "outbox: %d message(s) left in flight by an earlier run are pending again", count
            )
        return count

    def close(self) -> None:
        """Stop the database thread (after the last drain) and give up the right to send."""
        if self.budget is not None:
            self.budget.close()
        self._db_thread.shutdown(wait=True)
        self.owner.close()
        self.lock.release()

    async def drain(
        self, *, linger: float = 0.0, should_stop: Callable[[], bool] | None = None
    ) -> DrainReport:
        """Send until nothing is due (waiting up to ``linger`` s for retries); returns a report."""
        self._require_lock()
        report = DrainReport()
        self._idle.clear()
        stop = should_stop or (lambda: False)
        loop = asyncio.get_running_loop()
        if self.budget is not None and not self.budget.joined:  # counted once it holds its lock
            await loop.run_in_executor(self._db_thread, self.owner.ensure)
            await self.budget.join()
        sem = asyncio.Semaphore(self.concurrency)
        tasks: set[asyncio.Task[None]] = set()
        ready: list[tuple[float, int, OutboxRow]] = []
        self._flushing = True
        flusher = asyncio.create_task(self._flush_loop(report))
        short_claim_at = -1  # flush count when a claim last came back short
        try:
            while not stop() and self._fatal is None:
                refill = not ready or short_claim_at != self._flushes
                if (
                    refill
                    and len(ready) < self._batch_size() // 2
                    and await self._claim_into(ready, loop.time())
                ):
                    short_claim_at = self._flushes
                if not ready:
                    if tasks:
                        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                        await self._flush(report)
                        continue
                    await self._flush(report)
                    if not await self._wait_for_due(linger, stop):
                        break
                    continue
                due, _, row = ready[0]
                if due - loop.time() > SLOT_SLACK:  # the chat had a message a moment ago
                    await asyncio.sleep(min(due - loop.time(), STOP_CHECK_SECONDS))
                    continue
                heapq.heappop(ready)
                if not await self._await_slot(loop, stop):
                    heapq.heappush(ready, (due, row.id, row))  # released below, still pending
                    break
                await sem.acquire()
                turn = self._spacing.ready_at(row.chat_id, loop.time())
                if stop() or turn - loop.time() > SLOT_SLACK:  # or a reply took the chat's turn
                    sem.release()
                    heapq.heappush(ready, (turn, row.id, row))
                    continue
                if not self.owner.fresh() and not await self._still_owner(ready):
                    sem.release()  # claimed under an id this process lost: not ours to send
                    continue
                self._chat_pace.mark_sent(row.chat_id, loop.time())
                task = asyncio.create_task(self._send(row, sem))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.wait(tasks)
        finally:
            # Never cancel a flush: a write queued on the database thread would be lost with it.
            self._flushing = False
            self._outcome_ready.set()
            await flusher
            await self._flush(report)
            unsent = [row.id for _, _, row in ready]
            released_at = self.clock()
            await self.db(lambda s: outbox.release(s, unsent, released_at))
            self._idle.set()
        report.deferred = await self.db(outbox.count_open)
        self._chat_pace.forget_before(loop.time())
        if self._fatal is not None:
            fatal, self._fatal = self._fatal, None
            raise fatal
        return report

    async def run(self, should_stop: Callable[[], bool], *, idle_poll: float = 5.0) -> None:
        """Drain whenever woken, due or every ``idle_poll`` s, until ``should_stop()``.

        On PostgreSQL each drain also takes back the rows of a sender that died.
        """
        while not should_stop():
            due_in = idle_poll
            try:
                await self.drain(should_stop=should_stop)
                due_in = min(idle_poll, await self._seconds_until_due())
                self.hooks.database_answered()
            except SenderError:
                _log.exception("outbox sender stopped")
                return
            except SQLAlchemyError as exc:  # the database is away for a while: try again later
                if not is_outage(exc):  # an outage is logged once, by whoever hears of it
                    _log.exception("outbox sender: database error; retrying in %.0f s", idle_poll)
                self.hooks.database_error(exc)
            await self._sleep_or_wake(due_in, should_stop)

    # -- internals -------------------------------------------------------------------------------

    async def _claim_into(self, ready: list[tuple[float, int, OutboxRow]], now: float) -> bool:
        """Claim rows to fill the batch (on PostgreSQL, having taken back a dead sender's rows
        now and then); True when fewer came than there was room for."""
        room = self._batch_size() - len(ready)
        at = self.clock()
        shared = self.shared_database
        sweep = shared and now >= self._next_sweep
        held = self.owner.id

        def claim(session: Session) -> list[OutboxRow]:
            if sweep:
                self._sweep(session, at)
            owner = self._keep_owner(ready, held)
            return outbox.claim_due(session, at, room, owner=owner, last_sent=shared)

        rows = await self.db(claim)
        if sweep:
            self._next_sweep = now + SWEEP_SECONDS
        for row in rows:
            turn = self._spacing.ready_at(row.chat_id, now)
            if row.last_sent_at is not None:  # perhaps by another process: its pace holds too
                gap = self._spacing.interval_for(row.chat_id)
                turn = max(turn, now + (row.last_sent_at - at).total_seconds() + gap)
            heapq.heappush(ready, (turn, row.id, row))
        return len(rows) < room

    def _batch_size(self) -> int:
        """How many rows to hold claimed: about a second's worth at the current rate."""
        return max(self.concurrency * 2, min(int(self._pace.rate), 1000))

    def _sweep(self, session: Session, now: datetime) -> int:
        """Take back a dead sender's rows (PostgreSQL); remember when the next ones may go."""
        count, wait = self._orphans.sweep(session, now)
        self._orphans_at = None if wait is None else time.monotonic() + wait
        if count:
            _log.info(
                "outbox: %d message(s) in flight of a sender that stopped are pending again", count
            )
        return count

    def _keep_owner(self, ready: list[tuple[float, int, OutboxRow]], held: int) -> int:
        """Make sure this process still holds its owner lock (database thread); returns its id.

        Rows claimed under an id this process lost are another sender's to take back after the
        grace: they leave ``ready`` unsent and unreleased.
        """
        try:
            owner = self.owner.ensure()
        except SQLAlchemyError:
            ready.clear()
            raise
        if owner != held:
            ready.clear()
        return owner

    async def _still_owner(self, ready: list[tuple[float, int, OutboxRow]]) -> bool:
        """Whether the rows claimed so far are still this process's to send (see
        :mod:`~digestbot.delivery.claims`); raises the database's error if it cannot tell."""
        held = self.owner.id
        loop = asyncio.get_running_loop()
        owner = await loop.run_in_executor(self._db_thread, self._keep_owner, ready, held)
        return owner == held

    async def _await_slot(self, loop: asyncio.AbstractEventLoop, stop: Callable[[], bool]) -> bool:
        """Wait for a global slot (a flood wait may hold them all); False if told to stop first."""
        while True:
            if self.budget is not None:
                self.budget.apply(loop.time())
            slot = self._pace.reserve(loop.time(), catch_up=CATCH_UP)
            while slot - loop.time() > SLOT_SLACK:  # sleeping for less costs more than it keeps
                if stop():
                    return False
                await asyncio.sleep(min(slot - loop.time(), STOP_CHECK_SECONDS))
            if self._pace.paused_until <= loop.time():
                return True

    async def _sleep_or_wake(self, seconds: float, stop: Callable[[], bool]) -> None:
        """Sleep up to ``seconds``, cut short by :meth:`wake`; looks at ``stop`` every 0.1 s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, seconds)
        while not stop() and not self._wake.is_set():
            left = deadline - loop.time()
            if left <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(left, STOP_CHECK_SECONDS))
        self._wake.clear()

    async def _seconds_until_due(self) -> float:
        """Until a pending row comes due, or a dead sender's rows may be taken back."""
        due = await self.db(outbox.next_due_at)
        seconds = float("inf") if due is None else (due - self.clock()).total_seconds()
        if self._orphans_at is not None:
            seconds = min(seconds, self._orphans_at - time.monotonic())
        return max(0.0, seconds)

    async def _wait_for_due(self, linger: float, stop: Callable[[], bool]) -> bool:
        """Whether a pending row comes due within ``linger`` s (having waited for it)."""
        due_in = await self._seconds_until_due()
        if due_in > linger:
            return False
        if due_in > 0:
            await self._sleep_or_wake(due_in, stop)
        return True

    async def _send(self, row: OutboxRow, sem: asyncio.Semaphore) -> None:
        try:
            outcome = await self._deliver(row)
        except SenderError as exc:
            self._fatal = exc
            outcome = Outcome(row, retry_at=self.clock(), count_attempt=False, error=str(exc))
        finally:
            sem.release()
        self._outcomes.append(outcome)
        self._outcome_ready.set()

    async def _deliver(self, row: OutboxRow) -> Outcome:
        try:
            message_id = await self.bot.post_text(
                row.chat_id,
                row.text,
                parse_mode=row.parse_mode,
                reply_markup=row.reply_markup,
                paid_broadcast=self.delivery.paid_broadcast,
            )
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            self._pace.pause_until(asyncio.get_running_loop().time() + seconds)
            at = self.clock() + timedelta(seconds=seconds)
            self.metrics.flood_wait_seconds.labels(Client.SENDER.value).inc(seconds)
            self.hooks.flood_wait(seconds)
            return Outcome(row, retry_at=at, count_attempt=False, error=str(exc), reason=FLOOD_WAIT)
        except Forbidden as exc:
            return Outcome(row, blocked=True, error=exc.message)
        except BadRequest as exc:
            return Outcome(row, failed=True, error=exc.message, reason=REJECTED)
        except InvalidToken as exc:
            raise SenderError(f"Telegram rejected the bot token: {exc.message}") from exc
        except (NetworkError, TelegramError) as exc:
            return self._retry_or_fail(row, f"{type(exc).__name__}: {exc.message}")
        return Outcome(row, sent=Sent(row.id, message_id, self.clock()))

    def _retry_or_fail(self, row: OutboxRow, error: str) -> Outcome:
        attempt = row.attempts + 1
        if attempt >= self.delivery.max_attempts:
            return Outcome(
                row, failed=True, error=f"{error} (after {attempt} attempts)", reason=ATTEMPTS
            )
        delay = backoff_delay(
            attempt, base=self.backoff_base, cap=self.backoff_cap, jitter=self._rng.random()
        )
        at = self.clock() + timedelta(seconds=delay)
        return Outcome(row, retry_at=at, error=error, reason=NETWORK)

    async def _flush_loop(self, report: DrainReport) -> None:
        """Write outcomes as they come, until the drain is over."""
        while self._flushing:
            await self._outcome_ready.wait()
            await asyncio.sleep(FLUSH_GATHER)
            await self._flush(report)

    async def _flush(self, report: DrainReport) -> None:
        """Write every outcome gathered so far in one transaction."""
        self._outcome_ready.clear()
        outcomes, self._outcomes = self._outcomes, []
        if not outcomes:
            return
        await self.db(lambda s: write_outcomes(s, outcomes))
        self._flushes += 1
        self._count(outcomes)
        for outcome in outcomes:
            if outcome.sent is not None:
                report.sent += 1
            elif outcome.blocked:
                report.blocked += 1
                _log.info(
                    "outbox: chat %d blocked the bot; its messages are dropped", outcome.row.chat_id
                )
            elif outcome.failed:
                report.failed += 1
                _log.warning(
                    "outbox: message %d to chat %d failed: %s",
                    outcome.row.id,
                    outcome.row.chat_id,
                    outcome.error,
                )
            else:
                report.retried += 1

    def _count(self, outcomes: list[Outcome]) -> None:
        """The outcomes in the metrics, and failures for good to the ``failed`` hook."""
        metrics = self.metrics
        failed = 0
        for outcome in outcomes:
            if outcome.sent is not None:
                metrics.messages_sent.inc()
            elif outcome.blocked:
                metrics.messages_failed.labels(FailReason.BLOCKED.value).inc()
            elif outcome.failed:
                metrics.messages_failed.labels(outcome.reason or REJECTED).inc()
                failed += 1
            elif outcome.reason:
                metrics.messages_retried.labels(outcome.reason).inc()
        if failed:
            self.hooks.failed(failed)


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
