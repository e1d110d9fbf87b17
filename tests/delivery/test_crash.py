"""Crashes lose nothing: rows left in flight come back after a restart, and a sender process killed
with SIGKILL while sending 1,000 digests, started again, gets every digest out, repeating at most
the messages that were in flight at the kill."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import DeliverySettings
from digestbot.delivery import OutboxSender
from digestbot.delivery.transport import OutboxBot
from digestbot.sandbox.emulator import Emulator
from digestbot.store import outbox
from digestbot.store.models import OutboxState
from digestbot.store.outbox import CLAIM_LEASE
from tests.support.digest_runs import count_by_state, delivered, digest_run
from tests.support.outbox import add_readers, bot_texts, now, states

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


async def test_a_sender_killed_mid_send_and_restarted_delivers_every_digest(
    emulator: Emulator, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    with digest_run(emulator, url, tmp_path, readers=READERS, rate=200) as run:
        first = await run.send("--now")
        await emulator.driver.wait_for(lambda: delivered(emulator) >= KILL_AFTER or None, 60)
        first.kill()
        await first.wait()
        at_kill = await asyncio.to_thread(count_by_state, run.sessions)  # the emulator serves
        delivered_at_kill = delivered(emulator)
        total = sum(at_kill.values())
        assert total >= READERS
        assert at_kill.get(OutboxState.SENT, 0) < total  # killed in the middle, not after the end
        # Telegram accepted these, but the process died before it wrote them down:
        in_flight = delivered_at_kill - at_kill.get(OutboxState.SENT, 0)
        assert 0 <= in_flight <= at_kill.get(OutboxState.SENDING, 0)

        second = await run.send()
        out, err = await asyncio.wait_for(second.communicate(), 120)
        assert second.returncode == 0, err.decode()
        summary = out.decode().strip().splitlines()[-1]
        assert summary.endswith("failed 0, blocked 0, deferred 0")

        assert set(states(run.sessions).values()) == {OutboxState.SENT}
        expected, got = run.received(emulator)
        assert set(expected) == set(run.readers)
        assert not expected - got  # every reader has every message of their digest
        repeats = sum((got - expected).values())
        assert repeats <= in_flight
