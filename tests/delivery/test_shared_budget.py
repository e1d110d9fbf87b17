"""One Telegram budget across processes: three ``digestbot digest send`` processes on one PostgreSQL
outbox, the sandbox's flood limits on (30/s for the bot, 1/s per chat).

Together they keep to Telegram's limits: no answer 429, at most about 30 messages a second
combined, and a chat's messages a second apart even when two processes sent them; every message
arrives exactly once. One of them is SIGKILLed halfway: the other two take up its share of the
rate (and its messages in flight).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from digestbot.sandbox.emulator import Emulator
from digestbot.store import outbox
from digestbot.store.db import session_factory
from digestbot.store.models import OutboxState
from tests.support.digest_runs import delivered, digest_send
from tests.support.outbox import bot_texts, now, states

pytestmark = pytest.mark.postgres

CHATS = 60
PER_CHAT = 7  # 420 messages, about 14 s at 30/s; a chat could take 60/s, so its pace is tested
RATE = 30.0  # Telegram's free limit, shared by the three


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[Emulator]:
    """The emulator with Telegram's flood limits, every request recorded to a file."""
    async with Emulator(record_path=tmp_path / "requests.jsonl") as emu:
        yield emu


def fill_outbox(emulator: Emulator, sessions: sessionmaker[Session]) -> None:
    """``PER_CHAT`` messages for each of ``CHATS`` users who wrote to the bot."""
    for chat in range(1, CHATS + 1):
        emulator.driver.create_user(chat, f"Reader {chat}")
        emulator.driver.send_text(chat, "/start")
    with sessions.begin() as session:
        for chat in range(1, CHATS + 1):
            texts = [f"{chat}: {i}" for i in range(PER_CHAT)]
            outbox.enqueue(session, chat, texts, now=now())


def sends(record: Path) -> list[dict[str, Any]]:
    """The recorded sendMessage requests, in the order they were answered."""
    entries = [json.loads(line) for line in record.read_text().splitlines()]
    return [e for e in entries if e["method"] == "sendMessage"]


def busiest_window(times: list[float], seconds: float) -> int:
    """The most accepted sends in any ``seconds`` long window."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_three_processes_share_one_budget_and_survivors_take_up_a_killed_ones_share(
    limited: Emulator, engine: Engine, tmp_path: Path
) -> None:
    sessions = session_factory(engine)
    fill_outbox(limited, sessions)
    config = tmp_path / "digestbot.toml"
    config.write_text(f"[delivery]\nrate_per_second = {RATE:.0f}\npaid_broadcast = false\n")
    env = os.environ | {
        "DIGESTBOT_CONFIG": str(config),
        "DIGESTBOT_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "DIGESTBOT_TOKEN": limited.token,
        "DIGESTBOT_API_URL": limited.base_url,
    }
    processes = [await digest_send(env) for _ in range(3)]
    total = CHATS * PER_CHAT
    await limited.driver.wait_for(lambda: delivered(limited) >= total // 3 or None, 60)
    victim = processes[2]
    victim.kill()
    await victim.wait()
    killed_at = len(sends(tmp_path / "requests.jsonl"))
    for process in processes[:2]:
        _, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()

    record = sends(tmp_path / "requests.jsonl")
    assert [e for e in record if e["status"] == 429] == []
    accepted = [e for e in record if e["ok"]]
    times = [e["time"] for e in accepted]
    assert busiest_window(times, 3.0) <= 3 * RATE * 1.1 + 3  # combined: about 30/s at most
    after = [e["time"] for e in record[killed_at:] if e["ok"]]
    settled = [t for t in after if after[0] + 3.0 <= t <= after[-1] - 1.0]  # counted, taken back
    assert len(settled) > 20
    assert (len(settled) - 1) / (settled[-1] - settled[0]) > RATE * 0.75  # not two thirds of it
    by_chat: dict[int, list[float]] = defaultdict(list)
    for entry in accepted:
        by_chat[int(entry["params"]["chat_id"])].append(entry["time"])
    gaps = [b - a for ts in by_chat.values() for a, b in itertools.pairwise(ts)]
    assert min(gaps) >= 0.75  # 1 s apart, whichever process sent them (the record's jitter)

    assert set(states(sessions).values()) == {OutboxState.SENT}
    for chat in range(1, CHATS + 1):  # each exactly once, in order, but for a killed send's
        texts = bot_texts(limited, chat)
        assert sorted(set(texts)) == [f"{chat}: {i}" for i in range(PER_CHAT)]
    repeats = sum(len(bot_texts(limited, chat)) for chat in range(1, CHATS + 1)) - total
    assert repeats <= 8  # only what the killed process had sent and not recorded (8 in flight)
