"""Running digestbot's own commands as real processes against an emulator in the test's loop."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.model import Lang
from digestbot.sandbox.emulator import Emulator
from digestbot.store.models import Article, OutboxMessage, OutboxState, Subscriber, SubscriberState

__all__ = [
    "ROOT",
    "SEEDS",
    "add_due_reader",
    "article_count",
    "delivered",
    "digestbot_process",
    "sent_message_ids",
    "stopped_cleanly",
    "wait_until",
]

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def watched_folder_config(tmp_path: Path) -> tuple[Path, Path]:
    """An empty articles folder under ``tmp_path`` and a config file naming it (and a data
    folder beside it), for bot processes that watch the folder: (folder, config)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    config = tmp_path / "digestbot.toml"
    config.write_text(f'[paths]\narticles_dir = "{folder}"\ndata_dir = "{tmp_path / "data"}"\n')
    return folder, config


async def digestbot_process(
    emulator: Emulator, *args: str, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """``python -m digestbot ARGS`` with the emulator as its Bot API server (and its token)."""
    environ = {
        **os.environ,
        "DIGESTBOT_TOKEN": emulator.token,
        "DIGESTBOT_API_URL": emulator.base_url,
        "DIGESTBOT_MONITORING_ADDRESS": "127.0.0.1:0",
        **(env or {}),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "digestbot", *args, cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def add_due_reader(
    emulator: Emulator, sessions: sessionmaker[Session], chat_id: int, *, due: bool = True
) -> None:
    """A reader who wrote /start and subscribed long ago; ``due``: their 00:00 UTC digest time has
    passed today, else 23:59 (not due until the end of the day)."""
    emulator.driver.create_user(chat_id, f"Reader {chat_id}", None, "en")
    emulator.driver.send_text(chat_id, "/start")
    with sessions.begin() as session:
        session.execute(
            insert(Subscriber).values(
                chat_id=chat_id,
                language=Lang.EN,
                timezone="UTC",
                digest_time=time(0, 0) if due else time(23, 59),
                state=SubscriberState.ACTIVE,
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )


def article_count(sessions: sessionmaker[Session]) -> int:
    """How many articles the store holds."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


def sent_message_ids(sessions: sessionmaker[Session], chat_id: int) -> list[int] | None:
    """Telegram's ids of the chat's outbox messages once every row is SENT (None while any is
    not, or there are none)."""
    with sessions() as session:
        rows = session.execute(
            select(OutboxMessage.message_id, OutboxMessage.state)
            .where(OutboxMessage.chat_id == chat_id)
            .order_by(OutboxMessage.id)
        ).all()
    if not rows or any(state is not OutboxState.SENT for _, state in rows):
        return None
    return [message_id for message_id, _ in rows if message_id is not None]


async def wait_until(probe: Callable[[], T | None], timeout: float) -> T:
    """Poll ``probe`` (on a thread: it may query the database) until it is not None."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await asyncio.to_thread(probe)
        if found is not None:
            return found
        if loop.time() > deadline:
            raise TimeoutError(f"not within {timeout} s")
        await asyncio.sleep(0.1)


async def delivered(emulator: Emulator, sessions: sessionmaker[Session], chat_id: int) -> None:
    """Wait until the chat's outbox is all SENT; the chat shows each of those messages."""
    sent = await wait_until(lambda: sent_message_ids(sessions, chat_id), timeout=60)
    shown = {m["message_id"] for m in emulator.driver.transcript(chat_id) if m["from_bot"]}
    assert sent
    assert set(sent) <= shown


async def log_until(process: asyncio.subprocess.Process, needle: str, timeout: float = 60) -> str:
    """``process``'s log (stderr) read up to the first line holding ``needle``: a process that
    has said something is up, however slow its start (stopped_cleanly returns the rest)."""
    stream = process.stderr
    assert stream is not None
    lines: list[str] = []

    async def read() -> None:
        while not lines or needle not in lines[-1]:
            line = await stream.readline()
            assert line, f"the process ended before logging {needle!r}:\n{''.join(lines)}"
            lines.append(line.decode())

    await asyncio.wait_for(read(), timeout)
    return "".join(lines)


async def stopped_cleanly(process: asyncio.subprocess.Process, emulator: Emulator) -> str:
    """SIGTERM ``process``; it must exit 0 with no traceback and no token in its log (returned)."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    log = err.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log
    assert emulator.token not in log
    return log
