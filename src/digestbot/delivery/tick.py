"""One tick: plan what is due (one planner at a time on PostgreSQL); one whole send outside the bot.

``plan_tick`` is what the bot's minute job and ``digestbot digest send`` share; ``send_once`` is the
latter: recover rows a crash left in flight, plan, drain the outbox, clean up old finished
messages, report (beside a running bot on the same SQLite file: plan only, the bot sends).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import Settings
from digestbot.delivery.outcomes import DrainReport
from digestbot.delivery.retention import prune_digests, prune_outbox
from digestbot.delivery.sender import OutboxSender
from digestbot.delivery.transport import OutboxBot
from digestbot.digest.plan import PlanReport, plan_in_batches
from digestbot.monitoring.observe import RequestObserver
from digestbot.store.models import utc_now

__all__ = [
    "SendReport",
    "plan_tick",
    "send_once",
    "sender_clock",
    "standalone_bot",
    "tick_lock",
]

_log = logging.getLogger(__name__)
T = TypeVar("T")
_TICK_LOCK_KEY = 0x64670001  # "dg" + 1, beside the schema's hash: see tick_lock
SENDER_POOL = 8  # HTTP connections of the sender's bot
TELEGRAM_API = "https://api.telegram.org"


@dataclass(frozen=True, slots=True)
class SendReport:
    """What ``send_once`` did: the planning (None if another process was planning) and the drain
    (empty when ``sent_elsewhere``: another process sends from this SQLite outbox)."""

    planned: PlanReport | None
    drained: DrainReport
    sent_elsewhere: bool = False

    def summary(self) -> str:
        """The line ``digestbot digest send`` prints."""
        return self.drained.summary()


def tick_lock(*, wait: bool = False) -> Select[tuple[Any]]:
    """PostgreSQL's transaction-scoped advisory lock that lets one planner at a time plan: keyed by
    the current schema too, so installs in different schemas of one database do not hold each
    other off. Try it (true when taken), or ``wait`` until it is free."""
    take = func.pg_advisory_xact_lock if wait else func.pg_try_advisory_xact_lock
    return select(take(_TICK_LOCK_KEY, func.hashtext(func.current_schema())))


class _Busy(Exception):
    """Another process holds the tick."""


def plan_tick(
    sessions: sessionmaker[Session], now: datetime, settings: Settings, *, force: bool = False
) -> PlanReport | None:
    """Plan due digests (``force``: every active reader) in batches, a transaction each; None
    when another process is planning. Blocking: run it on a thread.

    On PostgreSQL a transaction-scoped advisory lock keeps planners from racing: the first batch
    tries it (taken: another planner is at work, this tick stops), each later one waits for it
    (a ``/digest`` may hold it a moment). It goes with each transaction, so a crashed planner
    never leaves it held; planners that meet between batches skip what the other made.
    """
    postgres = sessions.kw["bind"].dialect.name == "postgresql"
    batches = 0

    def run(work: Callable[[Session], T]) -> T:
        nonlocal batches
        with sessions.begin() as session:
            if postgres:
                if batches == 0 and not session.scalar(tick_lock()):
                    raise _Busy
                if batches > 0:
                    session.execute(tick_lock(wait=True))
            batches += 1
            return work(session)

    try:
        return plan_in_batches(run, now, settings, force=force)
    except _Busy:
        return None


def sender_clock(clock: Callable[[], datetime]) -> Callable[[], datetime]:
    """The sender's "now": the bot's clock, but never behind the wall clock.

    Rows are planned at the bot's clock, which may run ahead (the sandbox's, a test's); retries
    must still come due in real time when a test's clock stands still in the past.
    """
    return lambda: max(utc_now(), clock())


def standalone_bot(
    token: str,
    api_url: str = "",
    *,
    base_url: str = "",
    proxy: str | None = None,
    observer: RequestObserver | None = None,
) -> OutboxBot:
    """The sender's bot (lean transport, no rate limiter, no retries) for ``token`` on the server
    ``api_url`` (default: Telegram's), or on ``base_url`` given whole (``.../bot``, as PTB takes
    it); through ``proxy`` when given (``delivery.proxy.bot_api_proxy`` resolves it)."""
    url = base_url or f"{api_url or TELEGRAM_API}/bot"
    return OutboxBot(token, url, SENDER_POOL, proxy, observer)


async def send_once(
    settings: Settings,
    sessions: sessionmaker[Session],
    bot: OutboxBot,
    *,
    force: bool = False,
    linger: float = 60.0,
) -> SendReport:
    """Recover, plan one tick, drain the outbox (waiting up to ``linger`` s for retries).

    When another process sends from this SQLite outbox (the running bot), only plan: that
    process sends what was planned, and nothing it has in flight is taken back from it.
    """
    sender = OutboxSender(bot, sessions, settings.delivery)
    try:
        sending = sender.try_lock()
        if sending:
            await sender.recover()
        now = utc_now()
        planned = await asyncio.to_thread(plan_tick, sessions, now, settings, force=force)
        if not sending:
            return SendReport(planned, DrainReport(), sent_elsewhere=True)
        drained = await sender.drain(linger=linger)
        try:
            await prune_outbox(sender.db, utc_now(), settings.delivery.keep_days)
            await prune_digests(sender.db, utc_now(), settings.delivery.keep_days)
        except SQLAlchemyError:  # housekeeping: the next run or the bot cleans up instead
            _log.warning("outbox clean-up failed; it is tried again next time", exc_info=True)
    finally:
        sender.close()
    return SendReport(planned, drained)
