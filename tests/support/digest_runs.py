"""``digestbot digest send`` processes against the sandbox: a database of readers due a digest, the
environment the processes get, and what reached each reader."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.ingest import load_paths
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import OutboxMessage, OutboxState
from tests.support.outbox import add_readers, bot_texts
from tests.support.processes import ROOT, SEEDS

__all__ = ["DigestRun", "count_by_state", "delivered", "digest_run", "digest_send"]


@dataclass(frozen=True)
class DigestRun:
    """A database with the seed articles and ``readers`` active readers, and the environment
    for ``digest send`` on it (Telegram: the sandbox)."""

    engine: Engine
    sessions: sessionmaker[Session]
    env: dict[str, str]
    readers: range

    async def send(self, *args: str) -> asyncio.subprocess.Process:
        """Start ``digestbot digest send`` with ``args``."""
        return await digest_send(self.env, *args)

    def received(self, emulator: Emulator) -> tuple[Counter[int], Counter[int]]:
        """Messages each reader should have (the outbox) and has (the sandbox), by chat."""
        with self.sessions() as session:
            expected = Counter(session.scalars(select(OutboxMessage.chat_id)))
        got = Counter({chat: len(bot_texts(emulator, chat)) for chat in self.readers})
        return expected, got


@contextmanager
def digest_run(
    emulator: Emulator, url: str, folder: Path, *, readers: int, rate: int
) -> Iterator[DigestRun]:
    """Set up the database at ``url`` and a config sending ``rate`` messages a second."""
    engine = create_engine_for(url)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    assert not load_paths(sessions, [SEEDS]).rejected
    chats = range(1, readers + 1)
    add_readers(emulator, sessions, chats)
    config = folder / "digestbot.toml"
    config.write_text(f"[delivery]\nrate_per_second = {rate}\npaid_broadcast = true\n")
    env = os.environ | {
        "DIGESTBOT_CONFIG": str(config),
        "DIGESTBOT_DATABASE_URL": url,
        "DIGESTBOT_TOKEN": emulator.token,
        "DIGESTBOT_API_URL": emulator.base_url,
    }
    try:
        yield DigestRun(engine, sessions, env, chats)
    finally:
        engine.dispose()


async def digest_send(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    """Start ``digestbot digest send`` with ``args`` in ``env`` (output piped)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "digestbot",
        "digest",
        "send",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def count_by_state(sessions: sessionmaker[Session]) -> dict[OutboxState, int]:
    """Outbox rows by state."""
    with sessions() as session:
        rows = session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        )
        return {row[0]: row[1] for row in rows}


def delivered(emulator: Emulator) -> int:
    """Messages the bot has sent so far, in every chat."""
    return sum(1 for chat in emulator.state.messages.values() for m in chat.values() if m.from_bot)
