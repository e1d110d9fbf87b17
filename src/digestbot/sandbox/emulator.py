"""The public face of the Bot API emulator: start it, point a bot at it, drive it, stop it.

::

    async with Emulator() as emu:
        app = Application.builder().token(emu.token).base_url(emu.bot_base_url).build()
        emu.driver.create_user(1, "Ann")
        emu.driver.send_text(1, "/start")
        reply = await emu.driver.next_bot_message(1)
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import sys
import time
from collections.abc import Callable
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Self

from digestbot.sandbox.control import ControlApi
from digestbot.sandbox.driver import Driver
from digestbot.sandbox.faults import FaultSet
from digestbot.sandbox.latency import NetworkDelay
from digestbot.sandbox.menus import MenuMethods
from digestbot.sandbox.methods import MessageMethods
from digestbot.sandbox.ratelimit import RateLimitConfig, RateLimiter
from digestbot.sandbox.record import Recorder
from digestbot.sandbox.saved import SavedChats
from digestbot.sandbox.server import Router
from digestbot.sandbox.state import SandboxState
from digestbot.sandbox.updates import UpdateMethods, WebhookSender
from digestbot.sandbox.wire import HttpServer

__all__ = ["DEFAULT_BOT_USERNAME", "DEFAULT_TOKEN", "Emulator", "run_emulator_cli"]

DEFAULT_TOKEN = "123456789:AAsandbox-not-a-real-token-000000000"
DEFAULT_BOT_USERNAME = "digest_sandbox_bot"


class Emulator:
    """A Telegram Bot API server on ``host:port`` (0 = a free port) for one bot.

    ``ui_files`` is the folder served under ``/sandbox/ui/`` (default: the package's ``web/``);
    ``clock`` (monotonic seconds) drives rate limits and query expiry, so tests can freeze time.
    With ``chats_file``, the users, chats and messages are read from it at the start and kept in it
    (:mod:`digestbot.sandbox.saved`), so a restart shows the earlier chats.
    Every Bot API call waits ``latency + uniform(0, jitter)`` seconds (drawn from the rng seeded by
    ``seed``) before it is handled, as from a far-away Telegram; ``/sandbox/latency`` changes it.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_name: str = "Digest Sandbox Bot",
        rate_limits: RateLimitConfig | bool = True,
        record_path: Path | None = None,
        query_timeout: float = 15.0,
        seed: int | None = None,
        ui_files: Traversable | None = None,
        clock: Callable[[], float] = time.monotonic,
        latency: float = 0.0,
        jitter: float = 0.0,
        chats_file: Path | None = None,
    ) -> None:
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.token = token
        self.state = SandboxState(
            bot_user={
                "id": bot_id,
                "is_bot": True,
                "first_name": bot_name,
                "username": bot_username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": True,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )
        if isinstance(rate_limits, bool):
            rate_limits = RateLimitConfig(enabled=rate_limits)
        self.limiter = RateLimiter(rate_limits, clock)
        self.faults = FaultSet(random.Random(seed), delay=NetworkDelay(latency, jitter))
        self.recorder = Recorder(token, record_path)
        self.driver = Driver(self.state, clock)
        methods = MessageMethods(self.state, self.limiter, query_timeout, clock)
        self.updates = UpdateMethods(self.state)
        table = methods.table() | MenuMethods(self.state).table() | self.updates.table()
        self.control = ControlApi(self.driver, self.faults, self.recorder)
        self.router = Router(token, table, self.faults, self.recorder, self.control, ui_files)
        self._http = HttpServer(self.router.handle, host, port)
        self._sender = WebhookSender(self.state)
        self.saved = None if chats_file is None else SavedChats(self.state, chats_file)
        self._saving: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self._http.host}:{self._http.port}"

    @property
    def bot_base_url(self) -> str:
        """What python-telegram-bot takes as ``base_url`` (it appends ``<token>/<method>``)."""
        return f"{self.base_url}/bot"

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        return self._http.port

    async def start(self) -> None:
        """Restore the saved chats (if kept), bind the server and start the webhook sender."""
        if self.saved is not None:
            self.saved.load()
        self.recorder.open()
        await self._http.start()
        self._sender.start()
        if self.saved is not None:
            self._saving = asyncio.create_task(self.saved.run(), name="sandbox: keep chats")

    async def stop(self) -> None:
        """Stop serving (pending long polls are cut), close the record file, save the chats."""
        try:
            await self._sender.stop()
            await self._http.stop()
            self.recorder.close()
        finally:
            if self._saving is not None:
                self._saving.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._saving
                self._saving = None
            if self.saved is not None:
                self.saved.save()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


async def serve_until_signalled(emulator: Emulator) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with emulator:
        where = emulator.base_url
        print(f"Bot API emulator at {where}/bot<TOKEN>/<method>; driver API at {where}/sandbox/")
        if emulator.token == DEFAULT_TOKEN:
            print(f"token: {DEFAULT_TOKEN} (the public sandbox default)")
        else:
            print("token: the one given with --token")
        delay = emulator.faults.delay
        if delay.latency or delay.jitter:
            print(f"latency: every Bot API call waits {delay.latency:g} s + 0..{delay.jitter:g} s")
        sys.stdout.flush()
        await stop.wait()


def run_emulator_cli(
    host: str = "127.0.0.1",
    port: int = 8081,
    token: str = DEFAULT_TOKEN,
    record: Path | None = None,
    rate_limits: bool = True,
    latency: float = 0.0,
    jitter: float = 0.0,
) -> int:
    """Blocking entry point for ``digestbot sandbox --no-bot``; returns the exit status."""
    emulator = Emulator(
        host=host,
        port=port,
        token=token,
        record_path=record,
        rate_limits=rate_limits,
        latency=latency,
        jitter=jitter,
    )
    try:
        asyncio.run(serve_until_signalled(emulator))
    except OSError as exc:
        print(f"cannot start the emulator on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
