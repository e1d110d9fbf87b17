"""The bot's background work, owned by one object: the outbox sender, the digest tick, the articles
rescan and the outbox clean-up.

:meth:`Runtime.start` is called once the application has started, the same way in every mode
(polling, webhook, sandbox: :func:`digestbot.bot.serve.serving`). It starts the sender and runs
the first rescan and then the first tick *directly*, in a start-up task, so neither depends on a
scheduler date that a slow Bot API has already pushed into the past; only then are the repeats put
on the JobQueue. :meth:`Runtime.stop` removes the repeats and stops the sender: it starts no new
send, waits for the sends in flight and writes their outcomes, and every row it had claimed but
not sent is pending again, so nothing is left marked in flight. A sender that fails is logged and
started again (with a growing wait); so is one that cannot reach the Bot API at start.

- the **tick** plans due digests and instant pushes (on PostgreSQL only the process that wins a
  transaction-scoped advisory lock plans; the unique constraints make a second planner harmless
  anyway) and wakes the sender; one tick at a time runs in a process, and a rescan that loaded
  new articles runs one at once, so an instant push follows its file within seconds;
- the **sender** on SQLite first waits for the outbox to be free (a ``digestbot digest send`` may
  be sending), puts back rows a crash left in flight, then drains whenever woken, when a retry
  comes due, or every few seconds (other processes may enqueue);
- the **rescan** loads new and edited files of ``[paths] articles_dir`` at start, within seconds
  of a file being written there (watchfiles: inotify, or polling where the system has none), and
  every ``rescan_minutes`` all the same (0: no timed rescans), logging each rejected file once;
- the **clean-up** deletes finished outbox messages older than ``[delivery] keep_days``, and
  expired conversation state (:mod:`digestbot.bot.conversation`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Job, JobQueue
from watchfiles import Change, awatch

from digestbot.articles.files import ARTICLE_SUFFIXES, printable
from digestbot.bot.conversation import forget_expired
from digestbot.bot.deps import BotDeps, run_db, run_db_work
from digestbot.delivery.pacing import ChatPace
from digestbot.delivery.retention import prune_digests, prune_outbox
from digestbot.delivery.sender import OutboxSender, SenderHooks
from digestbot.delivery.tick import plan_tick, sender_clock
from digestbot.delivery.transport import OutboxBot
from digestbot.digest.plan import PlanReport
from digestbot.errors import StoreError
from digestbot.ingest import LoadReport, Rejected, load_paths
from digestbot.monitoring.alerts import AlertKind, Alerts
from digestbot.monitoring.metrics import Metrics
from digestbot.monitoring.readiness import STALLED_AFTER
from digestbot.store.db import upgrade_schema
from digestbot.store.health import is_outage, schema_missing
from digestbot.store.models import Subscriber
from digestbot.store.outbox import oldest_due_age

__all__ = ["REPEAT_JOB_KWARGS", "RejectionLog", "Runtime"]

TICK_SECONDS = 60.0
PRUNE_SECONDS = 6 * 3600.0  # how often finished outbox messages past keep_days are deleted
PRUNE_FIRST_SECONDS = 300.0  # the first clean-up, counted from the end of the start-up work
LOCK_POLL_SECONDS = 1.0  # how often a waiting sender tries for the outbox (SQLite)
WATCHDOG_SECONDS = 60.0  # how often the sender and the database are looked at for alerts
LONG_FLOOD_WAIT = 60.0  # seconds of a flood wait that the admins hear of
WATCH_DEBOUNCE_MS = 500  # changes within this long are one rescan (an editor's save, a copy)
DATABASE_PROBE_SECONDS = 2.0  # how often an away database is asked whether it is back
SENDER_RETRY_SECONDS = (1.0, 60.0)  # first and longest wait when the sender cannot reach the API

# How APScheduler treats a repeat that comes late (a busy event loop, a suspended host, a tick
# that outlasted its interval). Every job here is idempotent and catches up by itself (due-ness
# lives in the database), so a late run is always worth running: no grace limit
# (misfire_grace_time=None; with APScheduler's default of one second it would be skipped), but
# several missed runs collapse into one (coalesce) and a job never overlaps itself
# (max_instances=1: a tick still running when the next is due lets that one pass).
REPEAT_JOB_KWARGS: dict[str, Any] = {
    "misfire_grace_time": None,
    "coalesce": True,
    "max_instances": 1,
}
_log = logging.getLogger(__name__)


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


class Runtime:
    """Starts, runs and stops the bot's background work for one application."""

    def __init__(
        self,
        deps: BotDeps,
        job_queue: JobQueue[Any] | None,  # any context: the jobs ignore it
        bot_factory: Callable[[], OutboxBot],
        pace: ChatPace,
        metrics: Metrics | None = None,
    ) -> None:
        """``bot_factory`` makes the sender's bot (same token, server and proxy as the
        application's); ``pace`` is shared with the application's own requests, so digests and
        interactive replies to one chat never exceed Telegram's per-chat limit together."""
        self.deps = deps
        self.pace = pace
        self.metrics = metrics if metrics is not None else Metrics()
        self.alerts = Alerts(deps, self.wake)
        self._flush: asyncio.Task[None] | None = None
        self.last_tick: float | None = None  # when a tick last finished (Unix time)
        self._sender_state = "stopped"
        self._jobs = job_queue
        self._bot_factory = bot_factory
        self._rejections = RejectionLog()
        self._sender: OutboxSender | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._repeats: list[Job[Any]] = []
        self._started = asyncio.Event()
        self._stop = asyncio.Event()
        self._rescanning = asyncio.Lock()
        self._ticking = asyncio.Lock()  # one tick at a time: the timer's and a rescan's
        deps.health.on_back(self._database_back)

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the sender, then the first rescan and tick (in the background) and the repeats."""
        if self._tasks:
            raise RuntimeError("the runtime is already running")
        self._stop.clear()
        self._tasks = [  # the watch first: it watches before the first rescan lists the folder
            asyncio.create_task(self._watch_folder(), name="digestbot: articles watch"),
            asyncio.create_task(self._run_sender(), name="digestbot: outbox sender"),
            asyncio.create_task(self._first_round(), name="digestbot: start-up"),
            asyncio.create_task(self._watch_database(), name="digestbot: database watch"),
        ]
        for task in self._tasks:
            task.add_done_callback(_log_failure)

    async def stop(self) -> None:
        """Remove the repeats (one already running is awaited by the application's stop), let
        the start-up work end, and stop the sender: it sends nothing new, waits for the sends in
        flight and writes their outcomes; rows it had claimed but not sent are pending again."""
        self._stop.set()
        for job in self._repeats:
            job.schedule_removal()
        self._repeats.clear()
        if self._sender is not None:
            self._sender.wake()
        tasks, self._tasks = self._tasks, []
        if self._flush is not None:
            tasks.append(self._flush)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def wait_started(self, timeout: float = 60.0) -> None:
        """Wait until the first rescan and tick have run (for tests and the sandbox's check)."""
        await asyncio.wait_for(self._started.wait(), timeout)

    @property
    def started(self) -> bool:
        """Whether the first rescan and tick have run (the repeats are scheduled)."""
        return self._started.is_set() and bool(self._tasks)

    @property
    def sender_state(self) -> str:
        """``starting`` (asking the Bot API), ``sending``, ``waiting`` (another process sends
        from this SQLite outbox) or ``stopped`` (not started, stopped, failed and waiting to
        start again, or the token was rejected)."""
        return self._sender_state

    @property
    def sender(self) -> OutboxSender | None:
        """The running outbox sender, or None (not started yet, waiting for the lock, stopped)."""
        return self._sender

    def wake(self) -> None:
        """New messages are in the outbox: the sender drains now (no-op while it is not running)."""
        if self._sender is not None:
            self._sender.wake()

    def alert(self, kind: AlertKind, detail: str = "", count: int = 1) -> None:
        """Tell the admins (at most one alert per kind an hour; the rest are counted in it)."""
        self.metrics.alerts_sent.labels(kind.value).inc(count)
        self.alerts.report(kind, detail, count)
        if self._flush is None or self._flush.done():
            self._flush = asyncio.create_task(self._flush_alerts(), name="digestbot: alerts")

    def on_flood_wait(self, seconds: float) -> None:
        """Telegram asked this process to wait: a long wait is for the admins to know."""
        if seconds > LONG_FLOOD_WAIT:
            self.alert(AlertKind.FLOOD_WAIT, f"{seconds:.0f} s")

    # -- the work --------------------------------------------------------------------------------

    async def tick(self, *, force: bool = False) -> PlanReport | None:
        """Plan due digests now (``force``: every active reader) and wake the sender; None when
        another process holds the tick."""
        deps = self.deps
        async with self._ticking:
            now = deps.clock()
            with self.metrics.tick_seconds.time():
                report = await run_db_work(
                    deps,
                    lambda: asyncio.to_thread(
                        plan_tick, deps.sessions, now, deps.settings, force=force
                    ),
                )
        self.last_tick = time.time()
        self.metrics.last_tick.set(self.last_tick)
        if report is not None:
            self.metrics.digests_planned.inc(report.digests)
        if report is not None and report.messages:
            _log.info("tick: planned %d digest(s), %d message(s)", report.digests, report.messages)
        self.wake()
        return report

    async def rescan(self) -> LoadReport | None:
        """Load new and edited files from ``articles_dir`` (on a thread); None if there is none."""
        folder = self.deps.settings.paths.articles_dir
        if folder is None:
            return None
        if not folder.is_dir():
            for rejected in self._rejections.fresh([Rejected(folder, "articles folder not found")]):
                _log.warning("rescan: %s: %s", rejected.path, rejected.reason)
            return None
        # workers=1: no fork from a process running threads (the bot, its sender)
        async with self._rescanning:  # the watch and the timer never load at once
            report = await asyncio.to_thread(
                load_paths,
                self.deps.sessions,
                [folder],
                workers=1,
                max_bytes=self.deps.settings.paths.max_article_bytes,
            )
        fresh = self._rejections.fresh(report.rejected)
        self.metrics.articles_loaded.inc(report.new + report.updated)
        self.metrics.articles_rejected.inc(len(fresh))
        for rejected in fresh:
            _log.warning("rescan: %s", rejected.line)
            self.alert(AlertKind.REJECTED_FILES, f"{rejected.path.name}: {rejected.reason}")
        if report.new or report.updated:
            _log.info("rescan of %s: %s", folder, report.summary())
        return report

    async def rescan_and_tick(self) -> None:
        """Rescan; when it loaded new articles, tick at once: instant pushes go out within
        seconds of the file, not at the next minute."""
        report = await self.rescan()
        if report is not None and report.new and self._started.is_set():
            await self.tick()

    async def watch(self) -> None:
        """Every minute: a stalled sender or an unreachable database is for the admins to know;
        alerts that could not be queued before are queued now."""
        deps = self.deps

        def waited() -> float | None:
            with deps.sessions() as session:
                return oldest_due_age(session, deps.clock())

        try:
            age = await asyncio.to_thread(waited)
        except SQLAlchemyError as exc:
            self._database_failed(exc, "the watchdog")
            return
        deps.health.answered()
        if age is not None and age > STALLED_AFTER:
            self.alert(AlertKind.SENDER_STALLED, f"{age / 60:.0f} min")
        await self._flush_alerts()

    async def prune(self) -> int:
        """Delete the finished outbox messages older than ``[delivery] keep_days`` (returns how
        many), digests and compositions that old (:func:`prune_digests`) and the expired
        conversation state."""
        deps = self.deps
        keep_days = deps.settings.delivery.keep_days
        removed = await prune_outbox(lambda work: run_db(deps, work), deps.clock(), keep_days)
        await prune_digests(lambda work: run_db(deps, work), deps.clock(), keep_days)
        forgotten = await forget_expired(deps)
        if forgotten:
            _log.info("conversations: deleted %d expired piece(s) of state", forgotten)
        return removed

    # -- internals -------------------------------------------------------------------------------

    async def _first_round(self) -> None:
        """At start: the rescan, then the tick (so it sees the files just loaded), then the
        repeats. A failure is logged and the repeats are scheduled all the same."""
        try:
            for step in (self.rescan, self.tick):
                if self._stop.is_set():
                    return
                await _logged(step, step.__name__)
            if not self._stop.is_set():
                self._schedule_repeats()
        except Exception:
            _log.exception("the bot's repeating jobs could not be scheduled")
        finally:
            self._started.set()

    async def _watch_folder(self) -> None:
        """Rescan as soon as article files change. Watching begins before the first round lists
        the folder (so no file falls between the two); a change meanwhile is loaded once that
        round is done (one rescan at a time). If the folder cannot be watched, one line says so
        and the timed rescans go on alone."""
        folder = self.deps.settings.paths.articles_dir
        if folder is None or not folder.is_dir():
            return
        try:
            async for _ in awatch(
                folder, watch_filter=_article_change, debounce=WATCH_DEBOUNCE_MS,
                stop_event=self._stop,
            ):  # fmt: skip
                await _logged(self.rescan_and_tick, "rescan")
        except (OSError, RuntimeError) as exc:  # inotify's watch limit, the folder gone, ...
            minutes = self.deps.settings.digest.rescan_minutes
            _log.warning(
                "cannot watch %s for new article files (%s); %s",
                printable(str(folder)),
                " ".join(str(exc).split()) or type(exc).__name__,
                f"it is rescanned every {minutes:g} min"
                if minutes > 0
                else "rescan_minutes is 0: new files are loaded at the next start",
            )

    async def _flush_alerts(self) -> None:
        await self.alerts.flush()

    def _schedule_repeats(self) -> None:
        jobs = self._jobs
        if jobs is None:
            raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
        repeats: list[tuple[str, Callable[[], Awaitable[object]], float, float]] = [
            ("tick", self.tick, TICK_SECONDS, TICK_SECONDS),
            ("watchdog", self.watch, WATCHDOG_SECONDS, WATCHDOG_SECONDS),
            ("clean-up", self.prune, PRUNE_SECONDS, PRUNE_FIRST_SECONDS),
        ]
        minutes = self.deps.settings.digest.rescan_minutes
        if self.deps.settings.paths.articles_dir is not None and minutes > 0:
            repeats.append(("rescan", self.rescan_and_tick, minutes * 60.0, minutes * 60.0))
        self._repeats = [
            jobs.run_repeating(
                _job(work),
                interval,
                first=first,
                name=f"digestbot: {name}",
                job_kwargs=REPEAT_JOB_KWARGS,
            )
            for name, work, interval, first in repeats
        ]

    async def _run_sender(self) -> None:
        """Keep a sender running until stopped: one that fails is logged and started again,
        waiting longer each time (the bot goes on answering readers meanwhile)."""
        wait, longest = SENDER_RETRY_SECONDS
        while not self._stop.is_set():
            try:
                await self._send_until_stopped()
                return  # stopped, or Telegram rejected the token (logged)
            except SQLAlchemyError as exc:
                self._database_failed(exc, "the outbox sender")
                if not is_outage(exc):
                    _log.exception("outbox sender failed; starting it again in %.0f s", wait)
            except Exception:
                _log.exception("outbox sender failed; starting it again in %.0f s", wait)
            await self._sleep(wait)
            wait = min(wait * 2, longest)

    async def _send_until_stopped(self) -> None:
        self._sender_state = "starting"
        bot = await self._connected_bot()
        if bot is None:
            return
        try:
            deps = self.deps
            hooks = SenderHooks(
                failed=lambda count: self.alert(AlertKind.MESSAGES_FAILED, count=count),
                flood_wait=self.on_flood_wait,
                database_error=lambda exc: self._database_failed(exc, "the outbox sender"),
                database_answered=deps.health.answered,
            )
            sender = OutboxSender(
                bot,
                deps.sessions,
                deps.settings.delivery,
                clock=sender_clock(deps.clock),
                pace=self.pace,
                metrics=self.metrics,
                hooks=hooks,
            )
            try:
                if not await self._wait_for_lock(sender):
                    return
                await sender.recover()
                self._sender, self._sender_state = sender, "sending"
                await sender.run(self._stop.is_set)
            finally:
                self._sender, self._sender_state = None, "stopped"
                sender.close()
        finally:
            await bot.shutdown()

    async def _connected_bot(self) -> OutboxBot | None:
        """The sender's bot once it has answered ``getMe``; asked again while the Bot API is
        out of reach or busy; None when stopped or the token is rejected."""
        wait, longest = SENDER_RETRY_SECONDS
        while not self._stop.is_set():
            bot = self._bot_factory()
            try:
                await bot.initialize()
                return bot
            except InvalidToken as exc:
                await bot.shutdown()
                _log.error("outbox sender: Telegram rejected the bot token: %s", exc.message)
                return None
            except TelegramError as exc:  # network, timeout, 5xx, 429
                await bot.shutdown()
                _log.warning(
                    "outbox sender: no answer from the Bot API (%s); trying again in %.0f s",
                    exc.message,
                    wait,
                )
            await self._sleep(wait)
            wait = min(wait * 2, longest)
        return None

    async def _wait_for_lock(self, sender: OutboxSender) -> bool:
        """Wait until this process may send (on SQLite, a ``digest send`` may be sending); False if
        told to stop first. Messages planned meanwhile wait in the outbox."""
        if sender.try_lock():
            return True
        self._sender_state = "waiting"
        _log.warning(
            "outbox: another digestbot process is sending from this database (it holds %s); "
            "the bot sends once it is done",
            sender.lock.path,
        )
        while not self._stop.is_set():
            await self._sleep(LOCK_POLL_SECONDS)
            if sender.try_lock():
                _log.info("outbox: the other sender is done; sending from here")
                return True
        return False

    def _database_failed(self, error: SQLAlchemyError, where: str) -> None:
        """An outage is logged once (``deps.health``); either way the admins hear of it."""
        if is_outage(error):
            self.deps.health.failed(error, where)
        self.alert(AlertKind.DATABASE_ERROR, f"{where}: {type(error).__name__}")

    async def _watch_database(self) -> None:
        """While the database is away, ask it every few seconds whether it is back (the
        sender and the jobs ask too, but less often): its return is noticed within seconds."""
        deps = self.deps
        while not self._stop.is_set():
            await self._sleep(DATABASE_PROBE_SECONDS)
            if not deps.health.away or self._stop.is_set():
                continue
            try:
                await run_db(deps, lambda session: session.execute(select(Subscriber.chat_id)))
            except SQLAlchemyError as exc:
                if schema_missing(exc):
                    await self._recreate_schema()

    async def _recreate_schema(self) -> None:
        """The database answers but has lost digestbot's tables (dropped and created again
        empty): create them as at a first start and load the articles folder again."""
        engine = self.deps.sessions.kw["bind"]
        try:
            await asyncio.to_thread(upgrade_schema, engine)
        except StoreError as exc:
            _log.warning("the database has no digestbot tables and creating them failed: %s", exc)
            return
        _log.warning(
            "the database had lost digestbot's tables (dropped and created again?): created "
            "them anew; earlier readers must send /start again, articles are loaded again now"
        )
        await _logged(self.rescan, "rescan")

    def _database_back(self) -> None:
        """The database answers again: plan what the outage held back (once) and send it."""
        if self._tasks and not self._stop.is_set():
            task = asyncio.create_task(
                _logged(self.tick, "catch-up tick"), name="digestbot: catch-up tick"
            )
            # Keep the long-lived tasks and this one; earlier catch-ups are over or soon will be.
            self._tasks = [t for t in self._tasks if not t.done()] + [task]

    async def _sleep(self, seconds: float) -> None:
        """Sleep, cut short by :meth:`stop`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)


def _article_change(change: Change, path: str) -> bool:
    """Whether a changed path may be an article file (or a folder that holds some)."""
    suffix = Path(path).suffix.lower()
    return not Path(path).name.startswith(".") and (suffix in ARTICLE_SUFFIXES or not suffix)


def _log_failure(task: asyncio.Task[None]) -> None:
    """A background task that ended with an exception says so (it is never awaited in between)."""
    if not task.cancelled() and task.exception() is not None:
        _log.error("%s failed", task.get_name(), exc_info=task.exception())


async def _logged(work: Callable[[], Awaitable[object]], name: str) -> None:
    """Run one piece of start-up work; a failure is logged (the repeats try again)."""
    try:
        await work()
    except Exception as exc:
        if not is_outage(exc):  # an outage is logged once, by whoever first hears of it
            _log.exception("%s failed; it runs again on schedule", name)


def _job(
    work: Callable[[], Awaitable[object]],
) -> Callable[[object], Coroutine[Any, Any, None]]:
    """A JobQueue callback that runs ``work`` (errors go to the application's error handler)."""

    async def callback(context: object) -> None:
        await work()

    return callback
