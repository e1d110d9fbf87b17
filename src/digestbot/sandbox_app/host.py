"""The bot and the Bot API emulator in one process: try digestbot without a Telegram account.

Where nothing else is set, the sandbox shows the demo that comes with the package
(:func:`with_demo_articles`) on the operator's own database, and keeps the emulator's chats in a
file beside it (:func:`chats_file_for`): the database's readers are the emulator's users, so both
are kept or neither. A database holding readers the emulator never saw (a bot's on Telegram) is
refused rather than mixed up with simulated ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine, make_url, select
from sqlalchemy.orm import Session, sessionmaker

from digestbot import demo
from digestbot.bot.app import PtbApplication, build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import long_polling, serving, until_signalled
from digestbot.config import Settings
from digestbot.errors import DigestbotError
from digestbot.ingest import LoadReport, load_paths
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox_app.controls import SandboxClock, add_sandbox_controls
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import Subscriber

__all__ = [
    "CHATS_SUFFIX",
    "ForeignReaders",
    "SandboxedBot",
    "chats_file_for",
    "database_name",
    "run_sandboxed_bot",
    "sandboxed_bot",
    "with_demo_articles",
]

CHATS_SUFFIX = ".sandbox-chats.json"  # beside a SQLite database file
CHATS_FILE = "sandbox-chats.json"  # in the data folder, for any other database
log = logging.getLogger(__name__)


class ForeignReaders(DigestbotError):
    """The database has readers the sandbox never saw: it is not the sandbox's to use."""


def with_demo_articles(settings: Settings) -> tuple[Settings, Path | None]:
    """``settings`` with the packaged demo as the articles folder when none is set (and its tag
    labels when there are none); the demo's folder, or None when ``settings`` had their own."""
    folder = demo.articles_folder()
    if settings.paths.articles_dir is not None or folder is None:
        return settings, None
    reader = settings.reader
    if not reader.tag_labels:
        reader = replace(reader, tag_labels=demo.TAG_LABELS)
    paths = replace(settings.paths, articles_dir=folder)
    return replace(settings, paths=paths, reader=reader), folder


def chats_file_for(settings: Settings) -> Path | None:
    """Where the sandbox keeps its chats for ``settings``' database: ``<file>.sandbox-chats.json``
    beside a SQLite file, ``<data_dir>/sandbox-chats.json`` for a server; None for a database in
    memory, which forgets its readers too."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return settings.paths.data_dir / CHATS_FILE
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    path = Path(database)
    return path.with_name(path.name + CHATS_SUFFIX)


def database_name(url: str) -> str:
    """A SQLite database's file, or any other URL with its password hidden: safe to print."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def check_readers_known(
    engine: Engine, sessions: sessionmaker[Session], known: Collection[int]
) -> None:
    """Raise ForeignReaders when the database holds a reader whose chat ``known`` lacks."""
    with sessions() as session:
        readers = list(session.scalars(select(Subscriber.chat_id).order_by(Subscriber.chat_id)))
    foreign = [chat for chat in readers if chat not in known]
    if not foreign:
        return
    where = database_name(str(engine.url))
    raise ForeignReaders(
        f"the database {where} holds {len(foreign)} reader(s) the sandbox has no chat with "
        f"(chat {foreign[0]}...): a bot on Telegram may use it. Give the sandbox a database of "
        "its own with --database (e.g. sqlite:///data/sandbox.sqlite3), or delete this one to "
        "start afresh"
    )


@dataclass(frozen=True, slots=True)
class SandboxedBot:
    """A running emulator with the bot polling it."""

    emulator: Emulator
    application: PtbApplication
    deps: BotDeps
    loaded: LoadReport | None


def load_articles(settings: Settings, sessions: sessionmaker[Session]) -> LoadReport | None:
    """Load the articles folder, if there is one."""
    folder = settings.paths.articles_dir
    if folder is None or not folder.is_dir():
        return None
    return load_paths(sessions, [folder], workers=1, max_bytes=settings.paths.max_article_bytes)


@asynccontextmanager
async def sandboxed_bot(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency: float = 0.0,
    jitter: float = 0.0,
    chats_file: Path | None = None,
) -> AsyncIterator[SandboxedBot]:
    """Start the emulator (every Bot API call taking ``latency`` to ``latency + jitter`` s), load
    the articles folder, serve the bot against it as ``digestbot run`` would; stop on exit.

    The bot's clock is a :class:`SandboxClock` the chat page can speed up (``/sandbox/clock``).
    With ``chats_file`` the emulator keeps its chats there, and a database with readers it has
    no chat with is refused (:class:`ForeignReaders`).
    """
    engine = create_engine_for(settings.database_url, echo=settings.database.echo)
    await asyncio.to_thread(upgrade_schema, engine)
    sessions = session_factory(engine)
    clock = SandboxClock()
    deps = BotDeps(settings=settings, sessions=sessions, clock=clock)
    try:
        emulator = Emulator(
            host=host, port=port, latency=latency, jitter=jitter, chats_file=chats_file
        )
        async with emulator:
            if chats_file is not None:
                known = set(emulator.state.chats)
                await asyncio.to_thread(check_readers_known, engine, sessions, known)
            loaded = await asyncio.to_thread(load_articles, settings, sessions)
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
    chats_file: Path | None = None,
) -> None:
    """Run until SIGINT/SIGTERM, calling ``on_ready`` once everything listens."""

    async def main() -> None:
        sandbox = sandboxed_bot(
            settings,
            host=host,
            port=port,
            latency=latency,
            jitter=jitter,
            chats_file=chats_file,
        )
        await until_signalled(sandbox, on_ready)
        log.info("stopping")

    asyncio.run(main())
