"""The bot's background work on python-telegram-bot's JobQueue: plan, send, rescan.

- the **tick**, every minute and once at start: plans due digests (on PostgreSQL only the process
  that wins a transaction-scoped advisory lock plans; the unique constraints make a second
  planner harmless anyway) and wakes the sender;
- the **sender**, started once at start as an Application task: on SQLite it first waits for the
  outbox to be free (a ``digestbot digest send`` may be sending), then SENDING rows a crash left
  behind go back to PENDING, then it drains whenever woken, when a retry comes due, or every few
  seconds (other processes may enqueue), until the Application stops;
- the **cleanup**, every 6 hours from 5 minutes after start: sent, failed and dropped messages
  older than ``[delivery] keep_days`` leave the outbox (:mod:`digestbot.delivery.retention`);
- the **rescan** of ``[paths] articles_dir`` at start and every ``rescan_minutes`` (0: start
  only), logging each rejected file once, not on every rescan.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram.ext import Application, CallbackContext

from digestbot.articles.load import LoadReport, Rejected, load_paths
from digestbot.bot.deps import DEPS_KEY, BotDeps, get_deps, run_db
from digestbot.delivery.retention import prune_outbox
from digestbot.delivery.sender import SENDER_KEY, OutboxSender
from digestbot.delivery.tick import plan_tick, sender_clock, standalone_bot
from digestbot.delivery.transport import OutboxBot
from digestbot.store.digests import PlanReport

__all__ = ["RejectionLog", "plain_bot_for", "register", "run_prune", "run_rescan", "run_tick"]

PtbApplication = Application[Any, Any, Any, Any, Any, Any]
Context = CallbackContext[Any, Any, Any, Any]

TICK_SECONDS = 60.0
PRUNE_SECONDS = 6 * 3600.0  # how often finished outbox messages past keep_days are deleted
PRUNE_FIRST_SECONDS = 300.0  # the first cleanup: once the start's own work is done
LOCK_POLL_SECONDS = 1.0  # how often a waiting sender tries for the outbox (SQLite)
REJECTIONS_KEY = "digestbot.rejections"
_log = logging.getLogger(__name__)


def register(application: PtbApplication) -> None:
    """Schedule the sender start, the tick and the articles rescan on the application's JobQueue."""
    jobs = application.job_queue
    if jobs is None:
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    jobs.run_once(_start_sender, when=0, name="digestbot: outbox sender")
    jobs.run_repeating(_on_tick, interval=TICK_SECONDS, first=0, name="digestbot: tick")
    jobs.run_repeating(
        _on_prune, interval=PRUNE_SECONDS, first=PRUNE_FIRST_SECONDS, name="digestbot: cleanup"
    )
    deps: BotDeps = application.bot_data[DEPS_KEY]
    minutes = deps.settings.digest.rescan_minutes
    if deps.settings.paths.articles_dir is not None:
        if minutes > 0:
            jobs.run_repeating(_on_rescan, interval=minutes * 60, first=0, name="digestbot: rescan")
        else:
            jobs.run_once(_on_rescan, when=0, name="digestbot: rescan")


async def run_tick(application: PtbApplication, *, force: bool = False) -> PlanReport | None:
    """Plan due digests now and wake the sender; None when another process holds the tick."""
    deps: BotDeps = application.bot_data[DEPS_KEY]
    now = deps.clock()

    report = await run_db(deps, lambda s: plan_tick(s, now, deps.settings, force=force))
    if report is not None and report.messages:
        _log.info("tick: planned %d digest(s), %d message(s)", len(report.planned), report.messages)
    sender = application.bot_data.get(SENDER_KEY)
    if isinstance(sender, OutboxSender):
        sender.wake()
    return report


class RejectionLog:
    """Remembers which files were reported as rejected, so each is logged once per reason."""

    def __init__(self) -> None:
        self._seen: dict[Path, str] = {}

    def fresh(self, rejected: list[Rejected]) -> list[Rejected]:
        """The rejections not reported before; files that load again are forgotten."""
        current = {r.path: r.reason for r in rejected}
        new = [r for r in rejected if self._seen.get(r.path) != r.reason]
        self._seen = current
        return new


async def run_rescan(application: PtbApplication) -> LoadReport | None:
    """Load new and edited files from ``articles_dir`` (on a thread); None if there is none."""
    deps: BotDeps = application.bot_data[DEPS_KEY]
    folder = deps.settings.paths.articles_dir
    if folder is None:
        return None
    seen = application.bot_data.setdefault(REJECTIONS_KEY, RejectionLog())
    if not folder.is_dir():
        missing = Rejected(folder, "articles folder not found")
        for rejected in seen.fresh([missing]):
            _log.warning("rescan: %s: %s", rejected.path, rejected.reason)
        return None
    # workers=1: no fork from a process running threads (the bot, its sender)
    report = await asyncio.to_thread(load_paths, deps.sessions, [folder], workers=1)
    for rejected in seen.fresh(report.rejected):
        _log.warning("rescan: %s: %s", rejected.path, rejected.reason)
    if report.new or report.updated:
        _log.info("rescan of %s: %s", folder, report.summary())
    return report


def plain_bot_for(application: PtbApplication) -> OutboxBot:
    """A bot for the same token and server as the application's, without its rate limiter."""
    bot = application.bot
    return standalone_bot(bot.token, base_url=bot.base_url.removesuffix(bot.token))


async def _start_sender(context: Context) -> None:
    """Start the sender task: it waits for the outbox (SQLite), recovers rows a crash left in
    flight, then sends until the application stops."""
    application = context.application
    deps = get_deps(context)
    bot = plain_bot_for(application)
    await bot.initialize()
    if not application.running:  # stopped while we were starting
        await bot.shutdown()
        return
    sender = OutboxSender(
        bot, deps.sessions, deps.settings.delivery, clock=sender_clock(deps.clock)
    )
    application.bot_data[SENDER_KEY] = sender
    application.create_task(_run_sender(application, sender), name="digestbot: outbox sender")


async def _run_sender(application: PtbApplication, sender: OutboxSender) -> None:
    try:
        if not await _wait_for_lock(sender, lambda: not application.running):
            return
        await sender.recover()
        await sender.run(lambda: not application.running)
    finally:
        application.bot_data.pop(SENDER_KEY, None)
        sender.close()
        await sender.bot.shutdown()


async def _wait_for_lock(sender: OutboxSender, should_stop: Callable[[], bool]) -> bool:
    """Wait until this process may send (on SQLite, a ``digest send`` may be sending); False if
    told to stop first. Messages planned meanwhile wait in the outbox."""
    if sender.try_lock():
        return True
    _log.warning(
        "outbox: another digestbot process is sending from this database (it holds %s); "
        "the bot sends once it is done",
        sender.lock.path,
    )
    while not should_stop():
        await asyncio.sleep(LOCK_POLL_SECONDS)
        if sender.try_lock():
            _log.info("outbox: the other sender is done; sending from here")
            return True
    return False


async def run_prune(application: PtbApplication) -> int:
    """Delete the finished outbox messages older than ``[delivery] keep_days``; how many."""
    deps: BotDeps = application.bot_data[DEPS_KEY]
    return await prune_outbox(
        lambda work: run_db(deps, work), deps.clock(), deps.settings.delivery.keep_days
    )


async def _on_prune(context: Context) -> None:
    await run_prune(context.application)


async def _on_tick(context: Context) -> None:
    """Every minute: plan what is due and wake the sender."""
    await run_tick(context.application)


async def _on_rescan(context: Context) -> None:
    """At start and every few minutes: load what the operator dropped in the articles folder."""
    await run_rescan(context.application)
