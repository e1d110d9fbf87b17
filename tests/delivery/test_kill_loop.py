"""A digest to 500 readers while the sending process is SIGKILLed at random moments, ten times.

After the last restart every reader has every message of their digest; the only repeats are
messages Telegram had accepted when a process died before it recorded them, and the test counts
them against that bound (at each kill: delivered minus recorded as sent, never more than the rows
the dead process held as being sent).
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from functools import partial
from pathlib import Path

from sqlalchemy import select

from digestbot.ingest import load_paths
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import OutboxMessage, OutboxState
from tests.delivery.test_crash import count_by_state, delivered, digest_send
from tests.support.outbox import add_readers, bot_texts, states
from tests.support.processes import ROOT

READERS = 500


def reached(emulator: Emulator, count: int) -> bool | None:
    return delivered(emulator) >= count or None


KILLS = 10


async def test_ten_sigkills_during_a_digest_to_500_readers_lose_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'kills.sqlite3'}"
    engine = create_engine_for(url)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    assert not load_paths(sessions, [ROOT / "seeds"]).rejected
    add_readers(emulator, sessions, range(1, READERS + 1))
    config = tmp_path / "digestbot.toml"
    config.write_text("[delivery]\nrate_per_second = 100\npaid_broadcast = true\n")
    env = os.environ | {
        "DIGESTBOT_CONFIG": str(config),
        "DIGESTBOT_DATABASE_URL": url,
        "DIGESTBOT_TOKEN": emulator.token,
        "DIGESTBOT_API_URL": emulator.base_url,
    }
    chance = random.Random(20261205)
    in_flight_bound = 0
    kills = 0
    for round_number in range(KILLS):
        process = await digest_send(env, *(["--now"] if round_number == 0 else []))
        before = delivered(emulator)
        wanted = before + chance.randint(20, 120)
        try:
            await emulator.driver.wait_for(partial(reached, emulator, wanted), 60)
        except TimeoutError:
            break  # it finished before this kill's moment
        process.kill()
        await process.wait()
        kills += 1
        at_kill = await asyncio.to_thread(count_by_state, sessions)
        in_flight = delivered(emulator) - at_kill.get(OutboxState.SENT, 0)
        assert 0 <= in_flight - in_flight_bound <= at_kill.get(OutboxState.SENDING, 0)
        in_flight_bound = in_flight

    last = await digest_send(env)
    _, err = await asyncio.wait_for(last.communicate(), 180)
    assert last.returncode == 0, err.decode()
    assert kills >= KILLS // 2  # most kills landed in the middle of the digest

    assert set(states(sessions).values()) == {OutboxState.SENT}
    with sessions() as session:
        expected = Counter(session.scalars(select(OutboxMessage.chat_id)))
    got = Counter({chat: len(bot_texts(emulator, chat)) for chat in range(1, READERS + 1)})
    assert set(expected) == set(range(1, READERS + 1))
    assert not expected - got  # every reader has every message of their digest
    assert sum((got - expected).values()) <= in_flight_bound
    engine.dispose()
