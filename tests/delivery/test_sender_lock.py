"""One sender per SQLite outbox: ``digest send`` beside a running bot only plans, the bot's sender
waits for a ``digest send`` to finish, and a dead holder never keeps the outbox."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import long_polling, serving
from digestbot.config import Settings
from digestbot.delivery.sender_lock import SenderLock
from digestbot.delivery.tick import send_once
from digestbot.delivery.transport import OutboxBot
from digestbot.sandbox.emulator import Emulator
from digestbot.store import outbox
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import OutboxState
from tests.support.outbox import add_readers, bot_texts, now, states
from tests.support.settings import local_settings

_HOLD_AND_WAIT = """
import sys, time
from digestbot.delivery.sender_lock import SenderLock
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
lock = SenderLock.for_engine(create_engine_for(sys.argv[1]))
assert lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def _lock(sessions: sessionmaker[Session]) -> SenderLock:
    """Another process's hold on the outbox, as far as flock can tell (its own open file)."""
    return SenderLock.for_engine(sessions.kw["bind"])


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated SQLite file: the lock is SQLite's (PostgreSQL senders share through leases)."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'data' / 'bot.sqlite3'}")
    upgrade_schema(engine)
    yield session_factory(engine)
    engine.dispose()


def test_one_sender_at_a_time_per_sqlite_file(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'data' / 'bot.sqlite3'}")
    first, second = SenderLock.for_engine(engine), SenderLock.for_engine(engine)

    assert first.acquire()
    assert first.held
    assert not second.acquire()
    assert not second.held
    assert first.path is not None
    assert first.path.name == "bot.sqlite3.sender-lock"

    first.release()
    assert second.acquire()
    second.release()
    engine.dispose()


def test_a_dead_holder_leaves_the_outbox_free(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_AND_WAIT, url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        lock = SenderLock.for_engine(create_engine_for(url))
        assert not lock.acquire()
        assert lock.path is not None
        assert lock.path.read_text().strip() == str(holder.pid)
    finally:
        holder.kill()
        holder.wait()
    assert lock.acquire()  # SIGKILL: the OS dropped the lock with the process
    lock.release()


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
)
def test_no_lock_where_one_process_alone_sends_or_leases_share(url: str) -> None:
    engine = create_engine_for(url)  # never connects
    lock = SenderLock.for_engine(engine)
    assert lock.path is None
    assert lock.held
    assert lock.acquire()
    engine.dispose()


async def test_digest_send_beside_a_running_sender_only_plans(
    emulator: Emulator, sessions: sessionmaker[Session], plain_bot: OutboxBot
) -> None:
    add_readers(emulator, sessions, [1, 2])
    with sessions.begin() as session:
        outbox.enqueue(session, 1, ["in flight in the bot"], now=now())
        outbox.enqueue(session, 2, ["waiting in the outbox"], now=now())
        in_flight = outbox.claim_due(session, now(), 1)  # the bot is sending this one
    running_bot = _lock(sessions)
    assert running_bot.acquire()

    report = await send_once(Settings(), sessions, plain_bot, linger=0)

    assert report.sent_elsewhere
    assert report.drained.sent == 0
    assert states(sessions)[in_flight[0].id] == OutboxState.SENDING  # not taken from the bot
    assert OutboxState.SENT not in states(sessions).values()
    assert (bot_texts(emulator, 1), bot_texts(emulator, 2)) == ([], [])

    running_bot.release()  # the bot stopped (or died) with that message in flight
    report = await send_once(Settings(), sessions, plain_bot, linger=0)

    assert not report.sent_elsewhere
    assert report.drained.sent == 2
    assert set(states(sessions).values()) == {OutboxState.SENT}
    assert bot_texts(emulator, 1) == ["in flight in the bot"]
    assert bot_texts(emulator, 2) == ["waiting in the outbox"]


async def test_the_bot_sender_waits_while_digest_send_is_sending(
    emulator: Emulator, sessions: sessionmaker[Session]
) -> None:
    add_readers(emulator, sessions, [1])
    with sessions.begin() as session:
        outbox.enqueue(session, 1, ["sent by the bot once the outbox is free"], now=now())
    digest_send = _lock(sessions)
    assert digest_send.acquire()
    app = build_application(
        BotDeps(local_settings(), sessions), emulator.token, api_url=emulator.base_url
    )
    text = "sent by the bot once the outbox is free"

    def sent() -> bool | None:  # the bot also greets the reader's /start: look for this one
        return True if text in bot_texts(emulator, 1) else None

    async with serving(app, long_polling(timeout=1)):
        with pytest.raises(TimeoutError):
            await emulator.driver.wait_for(sent, timeout=1.5)
        digest_send.release()
        await emulator.driver.wait_for(sent, timeout=10)
    assert bot_texts(emulator, 1).count(text) == 1
