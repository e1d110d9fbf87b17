"""A digest to 500 readers while a sending process is SIGKILLed at random moments, ten times, and
started again: on SQLite, on PostgreSQL, and on PostgreSQL with two processes sending at once.

At the end every reader has every message of their digest, and the only repeats are messages the
sandbox had accepted when a process died before it recorded them. The test counts those at each
kill, chat by chat: a chat whose next message a dead process held as being sent, and which has
more messages in the sandbox than the outbox records as sent (beyond the repeats counted before).
On PostgreSQL the survivor (or the restarted process) takes a dead one's messages back within
seconds, not after the 5-minute claim lease.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.sandbox.emulator import Emulator
from digestbot.store import outbox
from digestbot.store.models import OutboxMessage, OutboxState
from tests.support.databases import postgres_schema
from tests.support.digest_runs import delivered, digest_run
from tests.support.outbox import bot_texts, states
from tests.support.processes import wait_until

READERS = 500
KILLS = 10


def reached(emulator: Emulator, count: int) -> bool | None:
    return delivered(emulator) >= count or None


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kills.sqlite3'}"
    else:
        with postgres_schema() as url:
            yield url


def dead_heads(
    sessions: sessionmaker[Session], survivors: int
) -> tuple[Counter[int], list[int]] | None:
    """Messages recorded as sent, by chat, and the chats whose message in flight belongs to no
    live sender; None while the database still counts more live senders than ``survivors``."""
    with sessions() as session:
        sent = Counter(
            session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.state == OutboxState.SENT)
            )
        )
        claims = outbox.claims_in_flight(session)
        in_flight = select(OutboxMessage.id, OutboxMessage.chat_id).where(
            OutboxMessage.state == OutboxState.SENDING
        )
        chat_of = {row.id: row.chat_id for row in session.execute(in_flight)}
        shared = session.get_bind().dialect.name == "postgresql"
        live = outbox.live_owners(session) if shared else set()
    if len(live) > survivors:  # the killed process's session is not gone yet
        return None
    return sent, [chat_of[c.id] for c in claims if c.owner not in live and c.id in chat_of]


@pytest.mark.parametrize(
    ("database_url", "senders"),
    [
        pytest.param("sqlite", 1, id="sqlite"),
        pytest.param("postgres", 1, id="postgres", marks=pytest.mark.postgres),
        pytest.param("postgres", 2, id="postgres-two-senders", marks=pytest.mark.postgres),
    ],
    indirect=["database_url"],
)
async def test_ten_sigkills_during_a_digest_to_500_readers_lose_nothing(
    emulator: Emulator, tmp_path: Path, database_url: str, senders: int
) -> None:
    with digest_run(emulator, database_url, tmp_path, readers=READERS, rate=100) as run:
        chance = random.Random(20261205)
        unrecorded: Counter[int] = Counter()  # by chat: accepted, not recorded when a sender died
        running = [await run.send("--now")]
        await emulator.driver.wait_for(partial(reached, emulator, 1), 60)  # planned: sending
        running += [await run.send() for _ in range(senders - 1)]
        kills = 0
        while kills < KILLS:
            wanted = delivered(emulator) + chance.randint(10, 40)
            try:
                await emulator.driver.wait_for(partial(reached, emulator, wanted), 60)
            except TimeoutError:
                break  # the digest was out before this kill's moment
            alive = [i for i, process in enumerate(running) if process.returncode is None]
            if not alive:
                break  # the digest was out
            victim = chance.choice(alive)
            running[victim].kill()
            await running[victim].wait()
            kills += 1
            others = sum(p.returncode is None for p in running)
            sent, heads = await wait_until(partial(dead_heads, run.sessions, others), 10)
            for chat in heads:
                if len(bot_texts(emulator, chat)) - sent[chat] > unrecorded[chat]:
                    unrecorded[chat] += 1  # the sandbox has it; the outbox does not know
            running[victim] = await run.send()

        for process in running:
            _, err = await asyncio.wait_for(process.communicate(), 180)
            assert process.returncode == 0, err.decode()
        last = await run.send()  # takes back what a process killed last left in flight
        _, err = await asyncio.wait_for(last.communicate(), 180)
        assert last.returncode == 0, err.decode()
        assert kills >= KILLS // 2  # most kills landed in the middle of the digest

        assert set(states(run.sessions).values()) == {OutboxState.SENT}
        expected, got = run.received(emulator)
        assert set(expected) == set(run.readers)
        assert not expected - got  # every reader has every message of their digest
        repeats = got - expected
        assert not repeats - unrecorded  # no chat has more repeats than were in flight there
