"""Several bot processes on one database (issue 13, roles): exactly one receives the updates by
long polling, the others plan and send, and one takes over when the poller dies; ``digestbot
worker`` plans and sends beside a ``run``. Real processes against the emulator, with every Bot
API call taking ``LATENCY`` seconds, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.support.databases import postgres_schema
from tests.support.processes import (
    SEEDS,
    add_due_reader,
    article_count,
    delivered,
    digestbot_process,
    log_until,
    stopped_cleanly,
    wait_until,
)

LATENCY = 0.3
TAKEOVER_SECONDS = 30.0  # the lease check (5 s) plus a long poll and the latency, with margin


@pytest.fixture
async def far_emulator(tmp_path: Path) -> AsyncIterator[Emulator]:
    async with Emulator(latency=LATENCY, record_path=tmp_path / "requests.jsonl") as emulator:
        yield emulator


def _config(tmp_path: Path) -> str:
    config = tmp_path / "digestbot.toml"
    config.write_text(f'[paths]\narticles_dir = "{SEEDS}"\ndata_dir = "{tmp_path / "data"}"\n')
    return str(config)


def _answers(emulator: Emulator, chat_id: int) -> list[str]:
    return [m["text"] for m in emulator.driver.transcript(chat_id) if m["from_bot"]]


async def _ask_help(emulator: Emulator, users: range) -> None:
    """Each user sends /help; wait until each has an answer."""
    for user in users:
        emulator.driver.send_text(user, "/help")
    for user in users:
        await wait_until(lambda user=user: _answers(emulator, user) or None, timeout=60)


async def test_two_runs_on_one_database_answer_each_message_once_and_take_over(
    far_emulator: Emulator, sessions: sessionmaker[Session], bot_database: str, tmp_path: Path
) -> None:
    emulator = far_emulator
    config = _config(tmp_path)
    env = {"DIGESTBOT_DATABASE_URL": bot_database}
    first = await digestbot_process(emulator, "run", "--config", config, env=env)
    second: asyncio.subprocess.Process | None = None
    early = ""  # the second's log until it is up
    try:
        await wait_until(lambda: article_count(sessions) or None, timeout=60)
        for user in range(100, 130):
            emulator.driver.create_user(user, f"Reader {user}", None, "en")
        await _ask_help(emulator, range(100, 101))  # the first process polls
        second = await digestbot_process(emulator, "run", "--config", config, env=env)
        early = await log_until(second, "another process receives the updates")  # up, tried
        await _ask_help(emulator, range(101, 120))
        await asyncio.sleep(2.0)  # a second answer would have come by now
        for user in range(100, 120):
            assert len(_answers(emulator, user)) == 1, (user, _answers(emulator, user))

        first.send_signal(signal.SIGKILL)  # the poller dies mid long poll
        await first.wait()
        await asyncio.wait_for(_ask_help(emulator, range(120, 130)), TAKEOVER_SECONDS)
        for user in range(120, 130):
            assert len(_answers(emulator, user)) == 1, (user, _answers(emulator, user))
    finally:
        if first.returncode is None:
            first.kill()
        await first.wait()
        log = early + await stopped_cleanly(second, emulator) if second is not None else ""
    assert "another process receives the updates" in log
    assert "this process now receives the updates" in log
    assert "Conflict" not in log


@pytest.fixture
def postgres() -> Iterator[tuple[str, sessionmaker[Session]]]:
    """A migrated, empty PostgreSQL schema: its URL and sessions on it."""
    with postgres_schema() as url:
        engine = create_engine_for(url)
        upgrade_schema(engine)
        yield url, session_factory(engine)
        engine.dispose()


@pytest.mark.postgres
async def test_a_worker_beside_a_run_on_postgresql_delivers_each_digest_once(
    far_emulator: Emulator, postgres: tuple[str, sessionmaker[Session]], tmp_path: Path
) -> None:
    emulator = far_emulator
    bot_database, sessions = postgres
    readers = range(700, 740)
    for chat_id in readers:
        add_due_reader(emulator, sessions, chat_id)
    config = _config(tmp_path)
    env = {"DIGESTBOT_DATABASE_URL": bot_database}
    worker = await digestbot_process(emulator, "worker", "--config", config, env=env)
    bot = await digestbot_process(emulator, "run", "--config", config, env=env)
    try:
        for chat_id in readers:
            await delivered(emulator, sessions, chat_id)
        emulator.driver.create_user(900, "Late", None, "en")
        await _ask_help(emulator, range(900, 901))  # the run answers while the worker sends
    finally:
        bot_log = await stopped_cleanly(bot, emulator)
        worker_log = await stopped_cleanly(worker, emulator)
    for chat_id in readers:
        digests = [t for t in _answers(emulator, chat_id) if t.startswith("Your digest")]
        assert len(digests) == 1, _answers(emulator, chat_id)
    assert "worker: planning and sending only" in worker_log
    assert "Conflict" not in bot_log + worker_log
