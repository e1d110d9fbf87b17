"""Start-up and delivery when every Bot API call takes 0.7 s, as from a far-away Telegram.

In every mode (``digestbot run`` as a process, polling in-process with the application started
2 s after it was built, the webhook, the sandbox) the articles folder is loaded at start, a
digest that is due at start is delivered, and readers are answered. Before the runtime, the
first tick and rescan were scheduler dates that the slow start had already pushed into the past,
and APScheduler dropped them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import long_polling, serving, webhook
from digestbot.config import DigestSettings, PathSettings, Settings, TelegramSettings
from digestbot.ingest import load_paths
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox_app.host import sandboxed_bot
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.support.processes import (
    SEEDS,
    add_due_reader,
    article_count,
    delivered,
    digestbot_process,
    stopped_cleanly,
    wait_until,
)
from tests.support.sandbox import free_port
from tests.support.settings import local_settings

LATENCY = 0.7
DUE = 501  # subscribed long ago, digest time 00:00 UTC: due when the bot starts
ASKS = 502  # digest time 23:59 UTC: not due, asks with /digest


@pytest.fixture(scope="module")
def seed_count(tmp_path_factory: pytest.TempPathFactory) -> int:
    """How many articles the seed folder holds (loaded once into a scratch database)."""
    engine = create_engine_for(f"sqlite:///{tmp_path_factory.mktemp('count')}/count.sqlite3")
    upgrade_schema(engine)
    count = load_paths(session_factory(engine), [SEEDS]).new
    engine.dispose()
    return count


@pytest.fixture
async def far_emulator(tmp_path: Path) -> AsyncIterator[Emulator]:
    """The emulator with every Bot API call taking ``LATENCY`` seconds."""
    async with Emulator(latency=LATENCY, record_path=tmp_path / "requests.jsonl") as emulator:
        yield emulator


def settings_for(database: str, tmp_path: Path, **telegram: Any) -> Settings:
    return replace(
        local_settings(),
        paths=PathSettings(data_dir=tmp_path / "data", articles_dir=SEEDS),
        database=replace(Settings().database, url=database),
        telegram=TelegramSettings(**telegram),
    )


async def ask_for_digest(emulator: Emulator, sessions: sessionmaker[Session]) -> None:
    emulator.driver.send_text(ASKS, "/digest")
    await delivered(emulator, sessions, ASKS)


def no_429s(emulator: Emulator) -> None:
    limited = [e["method"] for e in emulator.recorder.recent if e["status"] == 429]
    assert limited == []


async def test_run_loads_articles_within_10_s_of_polling_and_delivers(
    far_emulator: Emulator,
    sessions: sessionmaker[Session],
    bot_database: str,
    seed_count: int,
    tmp_path: Path,
) -> None:
    emulator = far_emulator
    add_due_reader(emulator, sessions, DUE)
    add_due_reader(emulator, sessions, ASKS, due=False)
    config = tmp_path / "digestbot.toml"
    config.write_text(f'[paths]\narticles_dir = "{SEEDS}"\ndata_dir = "{tmp_path / "data"}"\n')
    process = await digestbot_process(
        emulator, "run", "--config", str(config), env={"DIGESTBOT_DATABASE_URL": bot_database}
    )
    try:

        def polled() -> float | None:
            times = [e["time"] for e in emulator.recorder.recent if e["method"] == "getUpdates"]
            return times[0] if times else None

        first_poll = await wait_until(polled, timeout=60)
        await wait_until(lambda: article_count(sessions) == seed_count or None, timeout=30)
        assert time.time() - first_poll < 10
        await delivered(emulator, sessions, DUE)
        await ask_for_digest(emulator, sessions)
    finally:
        log = await stopped_cleanly(process, emulator)
    assert "was missed by" not in log
    no_429s(emulator)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_started_2_s_after_build(
    far_emulator: Emulator,
    sessions: sessionmaker[Session],
    bot_database: str,
    tmp_path: Path,
    mode: str,
) -> None:
    emulator = far_emulator
    add_due_reader(emulator, sessions, DUE)
    add_due_reader(emulator, sessions, ASKS, due=False)
    port = free_port()
    hook = {"webhook_url": f"http://127.0.0.1:{port}/hook", "webhook_port": port}
    settings = settings_for(bot_database, tmp_path, webhook_secret="s3cret", **hook)
    receive = webhook(settings.telegram) if mode == "webhook" else long_polling(timeout=1)
    application = build_application(
        BotDeps(settings, sessions), emulator.token, api_url=emulator.base_url
    )
    await asyncio.sleep(2.0)  # jobs scheduled at build time would now be in the past
    async with serving(application, receive) as runtime:
        await runtime.wait_started(timeout=30)
        assert article_count(sessions) > 0
        await delivered(emulator, sessions, DUE)
        await ask_for_digest(emulator, sessions)
    no_429s(emulator)


async def test_sandbox_under_latency(tmp_path: Path) -> None:
    settings = replace(
        settings_for(f"sqlite:///{tmp_path}/sandbox.sqlite3", tmp_path),
        digest=DigestSettings(rescan_minutes=0),
    )
    async with sandboxed_bot(settings, latency=LATENCY) as running:
        emulator = running.emulator
        await running.application.bot_data.runtime.wait_started(timeout=30)
        assert article_count(running.deps.sessions) > 0
        emulator.driver.create_user(ASKS, "Wei", None, "zh-hans")
        emulator.driver.send_text(ASKS, "/start")
        greeting = await emulator.driver.next_bot_message(ASKS, timeout=30)
        assert "中文" in str(greeting["reply_markup"])
        await ask_for_digest(emulator, running.deps.sessions)
        no_429s(emulator)


@pytest.mark.postgres
async def test_a_bot_and_a_digest_send_on_one_postgresql_deliver_each_digest_once(
    far_emulator: Emulator, sessions: sessionmaker[Session], bot_database: str, tmp_path: Path
) -> None:
    if not bot_database.startswith("postgresql"):
        pytest.skip("several sending processes share an outbox on PostgreSQL")
    emulator = far_emulator
    readers = range(700, 730)
    for chat_id in readers:
        add_due_reader(emulator, sessions, chat_id)
    config = tmp_path / "digestbot.toml"
    config.write_text(f'[paths]\narticles_dir = "{SEEDS}"\ndata_dir = "{tmp_path / "data"}"\n')
    env = {"DIGESTBOT_DATABASE_URL": bot_database}
    bot = await digestbot_process(emulator, "run", "--config", str(config), env=env)
    try:
        await wait_until(lambda: article_count(sessions) or None, timeout=60)
        send = await digestbot_process(
            emulator, "digest", "send", "--config", str(config), "--wait", "5", env=env
        )
        _, err = await asyncio.wait_for(send.communicate(), timeout=120)
        assert send.returncode == 0, err.decode()
        for chat_id in readers:
            await delivered(emulator, sessions, chat_id)
    finally:
        await stopped_cleanly(bot, emulator)
    for chat_id in readers:
        shown = [m["text"] for m in emulator.driver.transcript(chat_id) if m["from_bot"]]
        digests = [text for text in shown if text.startswith("Your digest")]
        assert len(digests) == 1, shown
