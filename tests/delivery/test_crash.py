"""Crashes lose nothing: rows left in flight come back after a restart, and a sender process killed
with SIGKILL while sending 1,000 digests, started again, gets every digest out, repeating at most
the messages that were in flight at the kill."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import DeliverySettings
from digestbot.delivery import OutboxSender
from digestbot.delivery.transport import OutboxBot
from digestbot.ingest import load_paths
from digestbot.sandbox.emulator import Emulator
from digestbot.store import outbox
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import OutboxMessage, OutboxState
from digestbot.store.outbox import CLAIM_LEASE
from tests.support.outbox import add_readers, bot_texts, now, states

ROOT = Path(__file__).resolve().parents[2]
READERS = 1000
KILL_AFTER = 300  # messages delivered before the kill


async def test_rows_left_sending_by_a_crash_are_sent_once_after_a_restart(
    emulator: Emulator, sessions: sessionmaker[Session], plain_bot: OutboxBot
) -> None:
    add_readers(emulator, sessions, range(1, 6))
    with sessions.begin() as session:
        for chat_id in range(1, 6):
            outbox.enqueue(session, chat_id, [f"for {chat_id}"], now=now())
        # A process claimed these a lease ago, then died (PostgreSQL only takes back expired
        # leases, since other processes may be alive; SQLite takes back every SENDING row).
        crashed = outbox.claim_due(session, now() - CLAIM_LEASE, 3)

    sender = OutboxSender(plain_bot, sessions, DeliverySettings())
    assert await sender.recover() == len(crashed)
    report = await sender.drain()
    sender.close()

    assert (report.sent, report.deferred) == (5, 0)
    assert set(states(sessions).values()) == {OutboxState.SENT}
    for chat_id in range(1, 6):
        assert bot_texts(emulator, chat_id) == [f"for {chat_id}"]


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


async def digest_send(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
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


async def test_a_sender_killed_mid_send_and_restarted_delivers_every_digest(
    emulator: Emulator, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    engine = create_engine_for(url)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    assert not load_paths(sessions, [ROOT / "seeds"]).rejected
    add_readers(emulator, sessions, range(1, READERS + 1))
    config = tmp_path / "digestbot.toml"
    config.write_text("[delivery]\nrate_per_second = 200\npaid_broadcast = true\n")
    env = os.environ | {
        "DIGESTBOT_CONFIG": str(config),
        "DIGESTBOT_DATABASE_URL": url,
        "DIGESTBOT_TOKEN": emulator.token,
        "DIGESTBOT_API_URL": emulator.base_url,
    }

    first = await digest_send(env, "--now")
    await emulator.driver.wait_for(lambda: delivered(emulator) >= KILL_AFTER or None, 60)
    first.kill()
    await first.wait()
    at_kill = await asyncio.to_thread(count_by_state, sessions)  # the emulator serves meanwhile
    delivered_at_kill = delivered(emulator)
    total = sum(at_kill.values())
    assert total >= READERS
    assert at_kill.get(OutboxState.SENT, 0) < total  # killed in the middle, not after the end
    # Telegram accepted these, but the process died before it wrote them down:
    in_flight = delivered_at_kill - at_kill.get(OutboxState.SENT, 0)
    assert 0 <= in_flight <= at_kill.get(OutboxState.SENDING, 0)

    second = await digest_send(env)
    out, err = await asyncio.wait_for(second.communicate(), 120)
    assert second.returncode == 0, err.decode()
    summary = out.decode().strip().splitlines()[-1]
    assert summary.endswith("failed 0, blocked 0, deferred 0")

    assert set(states(sessions).values()) == {OutboxState.SENT}
    with sessions() as session:
        expected = Counter(session.scalars(select(OutboxMessage.chat_id)))
    got = Counter({chat_id: len(bot_texts(emulator, chat_id)) for chat_id in range(1, READERS + 1)})
    assert set(expected) == set(range(1, READERS + 1))
    assert not expected - got  # every reader has every message of their digest
    repeats = sum((got - expected).values())
    assert repeats <= in_flight
    engine.dispose()
