"""The bot and the Bot API emulator in one process: try digestbot without a Telegram account."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from digestbot.articles.load import LoadReport, load_paths
from digestbot.bot.app import PtbApplication, build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.sandbox_controls import SandboxClock, add_sandbox_controls
from digestbot.bot.serve import long_polling, serving, until_signalled
from digestbot.config import Settings
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema

__all__ = ["SandboxedBot", "run_sandboxed_bot", "sandboxed_bot"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SandboxedBot:
    """A running emulator with the bot polling it."""

    emulator: Emulator
    application: PtbApplication
    deps: BotDeps
    loaded: LoadReport | None


@asynccontextmanager
async def sandboxed_bot(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency: float = 0.0,
    jitter: float = 0.0,
) -> AsyncIterator[SandboxedBot]:
    """Start the emulator (every Bot API call taking ``latency`` to ``latency + jitter`` s), load
    the articles folder, serve the bot against it as ``digestbot run`` would; stop on exit.

    The bot's clock is a :class:`SandboxClock` the chat page can speed up (``/sandbox/clock``).
    """
    engine = create_engine_for(settings.database_url, echo=settings.database.echo)
    await asyncio.to_thread(upgrade_schema, engine)
    sessions = session_factory(engine)
    loaded = None
    if settings.paths.articles_dir is not None and settings.paths.articles_dir.is_dir():
        folder = settings.paths.articles_dir
        loaded = await asyncio.to_thread(
            load_paths, sessions, [folder], workers=1, max_bytes=settings.paths.max_article_bytes
        )
    clock = SandboxClock()
    deps = BotDeps(settings=settings, sessions=sessions, clock=clock)
    try:
        async with Emulator(host=host, port=port, latency=latency, jitter=jitter) as emulator:
            application = build_application(deps, emulator.token, api_url=emulator.base_url)
            add_sandbox_controls(emulator, application, clock)
            async with serving(application, long_polling(timeout=10)):
                yield SandboxedBot(emulator, application, deps, loaded)
    finally:
        engine.dispose()


def run_sandboxed_bot(
    settings: Settings,
    *,
    host: str,
    port: int,
    on_ready: Callable[[SandboxedBot], None],
    latency: float = 0.0,
    jitter: float = 0.0,
) -> None:
    """Run until SIGINT/SIGTERM, calling ``on_ready`` once everything listens."""

    async def main() -> None:
        sandbox = sandboxed_bot(settings, host=host, port=port, latency=latency, jitter=jitter)
        await until_signalled(sandbox, on_ready)
        log.info("stopping")

    asyncio.run(main())
