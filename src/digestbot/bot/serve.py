"""Serving the bot: one start-up and shutdown order for long polling, the webhook and the sandbox.

Start, each step awaited before the next (each Bot API call may take seconds on a far-away or
proxied network, and nothing below depends on how long):

0. the monitoring endpoint (``[monitoring] address``): live from here on, ready once all is up;
1. ``initialize``: ``getMe`` (a rejected token or an unreachable server fails here);
2. the command menus (``setMyCommands``, per language);
3. the application: its handlers and the JobQueue;
4. the :class:`~digestbot.bot.runtime.Runtime`: the outbox sender, and the first articles rescan
   and digest tick, run at once in the background (the repeats follow on the JobQueue);
5. updates: long polling (``deleteWebhook`` first) or the webhook server
   (:mod:`digestbot.bot.webhook`: it listens, then ``setWebhook``).

Stop, in reverse: no more updates, the runtime (in-flight sends finish, nothing is left marked in
flight), the application (running handlers finish), ``shutdown``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TypeVar

from telegram import Update
from telegram.ext import Updater

from digestbot.bot.context import BotApplication
from digestbot.bot.menu import register_command_menus
from digestbot.bot.monitor import readiness_of
from digestbot.bot.rate_limit import PacedRateLimiter
from digestbot.bot.runtime import Runtime
from digestbot.bot.updates import PerChatUpdateProcessor
from digestbot.bot.webhook import WebhookReceiver, set_webhook
from digestbot.config import TelegramSettings
from digestbot.monitoring.server import MonitoringServer
from digestbot.store.leases import Lease

__all__ = [
    "Receive",
    "StopReceiving",
    "long_polling",
    "no_updates",
    "serving",
    "until_signalled",
    "webhook",
]

StopReceiving = Callable[[], Awaitable[None]]
# Starts taking updates into the updater's queue; returns how to stop, unless the updater does.
Receive = Callable[[Updater], Awaitable[StopReceiving | None]]
T = TypeVar("T")
BOOTSTRAP_RETRIES = 5  # deleteWebhook/setWebhook at start: tries again on a network error
LEASE_CHECK_SECONDS = 5.0  # how often a poller checks its lease, and a waiting one tries it
log = logging.getLogger(__name__)


def long_polling(
    *, timeout: int = 10, poll_interval: float = 0.0, lease: Lease | None = None
) -> Receive:
    """Receive updates with ``getUpdates`` (``timeout`` s long polls). With ``lease`` (several
    processes on one database), poll only while holding it: a process that cannot take it at
    start waits and takes over when the holder stops or dies; one that loses it stops polling."""

    async def start_polling(updater: Updater) -> None:
        await updater.start_polling(
            poll_interval=poll_interval,
            timeout=timeout,
            bootstrap_retries=BOOTSTRAP_RETRIES,
            allowed_updates=Update.ALL_TYPES,
        )

    if lease is None:
        return start_polling

    async def start(updater: Updater) -> StopReceiving:
        polling = False
        if await asyncio.to_thread(lease.acquire):
            try:
                await start_polling(updater)  # a failure at start is the start's, as without
            except BaseException:
                await asyncio.to_thread(lease.release)
                raise
            polling = True
        else:
            log.info(
                "another process receives the updates (long polling on this database); this one "
                "plans and sends, and takes over if that one stops"
            )
        task = asyncio.create_task(
            _keep_polling(updater, lease, start_polling, polling), name="digestbot: updates lease"
        )

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if updater.running:
                await updater.stop()
            await asyncio.to_thread(lease.release)

        return stop

    return start


async def _keep_polling(
    updater: Updater,
    lease: Lease,
    start_polling: Callable[[Updater], Awaitable[None]],
    polling: bool,
) -> None:
    """Every :data:`LEASE_CHECK_SECONDS`: while polling, keep the lease (stop polling when
    another process has it; poll on while the database cannot be asked, so readers still get
    an answer); while not, try to take it and start polling."""
    unsure = False  # the database did not answer the last check
    while True:
        await asyncio.sleep(LEASE_CHECK_SECONDS)
        if polling:
            kept = await asyncio.to_thread(lease.renew)
            if kept is None and not unsure:
                log.warning(
                    "cannot check the updates lease (the database does not answer): long "
                    "polling goes on until it does"
                )
            unsure = kept is None
            if kept is not False:
                continue
            log.error("another process took the updates lease: stopped long polling")
            if updater.running:
                await updater.stop()
            polling = False
        elif await asyncio.to_thread(lease.acquire):
            try:
                await start_polling(updater)
            except Exception as exc:  # tried again at the next check
                log.error("could not start long polling: %s: %s", type(exc).__name__, exc)
                await asyncio.to_thread(lease.release)
                continue
            log.info("this process now receives the updates (long polling)")
            polling = True


def no_updates() -> Receive:
    """Receive nothing (``digestbot worker``: it plans and sends; another process receives)."""

    async def start(updater: Updater) -> None:
        log.info("worker: planning and sending only; updates go to a `digestbot run` process")

    return start


def webhook(telegram: TelegramSettings) -> Receive:
    """Receive updates on the configured webhook (behind the operator's HTTPS reverse proxy):
    listen, then ``setWebhook``. Without ``webhook_secret`` any POST is taken, so ``run`` always
    passes one (:func:`digestbot.bot.run.webhook_settings`)."""

    async def start(updater: Updater) -> StopReceiving:
        secret = telegram.webhook_secret or None
        receiver = WebhookReceiver(
            updater.bot,
            updater.update_queue,
            path=webhook_path(telegram.webhook_url),
            secret=secret,
            listen=telegram.webhook_listen,
            port=telegram.webhook_port,
        )
        await receiver.start()
        try:
            await set_webhook(updater.bot, telegram.webhook_url, secret, retries=BOOTSTRAP_RETRIES)
        except BaseException:
            await receiver.stop()
            raise
        return receiver.stop

    return start


def webhook_path(url: str) -> str:
    """The path part of the public webhook URL, which the local server must serve."""
    without_scheme = url.split("://", 1)[-1]
    _, _, path = without_scheme.partition("/")
    return path


@asynccontextmanager
async def serving(application: BotApplication, receive: Receive) -> AsyncIterator[Runtime]:
    """Start everything in the order above, yield the runtime, stop everything in reverse."""
    updater = application.updater
    if updater is None:
        raise RuntimeError("the application has no updater")
    runtime = application.bot_data.runtime
    async with _monitoring(application), application:
        await register_command_menus(application.bot)
        await application.start()
        try:
            await runtime.start()
            stop_receiving: StopReceiving | None = None
            try:
                stop_receiving = await receive(updater)
                yield runtime
            finally:
                try:
                    if updater.running:
                        await updater.stop()
                    if stop_receiving is not None:
                        await stop_receiving()
                finally:
                    await runtime.stop()
        finally:
            processor = application.update_processor
            if isinstance(processor, PerChatUpdateProcessor):
                await processor.wind_down()  # a long /read must not hold up the stop
            limiter = application.bot.rate_limiter
            if isinstance(limiter, PacedRateLimiter):
                limiter.close()  # replies still being handled stop waiting for their turn
            await application.stop()


@asynccontextmanager
async def _monitoring(application: BotApplication) -> AsyncIterator[None]:
    """The process's monitoring endpoint, from before the start to after the stop (when on)."""
    data = application.bot_data
    address = data.deps.settings.monitoring.host_port
    if address is None:
        yield
        return
    server = MonitoringServer(*address, data.metrics, readiness_of(application))
    await server.start()
    data.monitoring = server
    try:
        yield
    finally:
        data.monitoring = None
        await server.stop()


async def until_signalled(
    service: AbstractAsyncContextManager[T], on_ready: Callable[[T], object] = lambda _: None
) -> None:
    """Enter ``service``, call ``on_ready`` with what it yields, and leave it on SIGINT or
    SIGTERM. A signal during a slow start cancels the start (what was started is stopped again);
    a second signal while stopping cancels the stop too (rows left in flight are taken back at
    the next start)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    ready = asyncio.Event()

    async def run() -> None:
        async with service as running:
            ready.set()
            on_ready(running)
            await stop.wait()

    task = asyncio.create_task(run(), name="digestbot: serve")

    def on_signal() -> None:
        if not ready.is_set() or stop.is_set():
            task.cancel()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, on_signal)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
