"""The bot's runtime: sender start and wake-up, the tick, the rescan, start and stop."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.runtime import Runtime
from digestbot.bot.serve import long_polling, serving
from digestbot.config import PathSettings, Settings
from digestbot.delivery.tick import standalone_bot, tick_lock
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox.faults import FaultKind, FaultRule
from digestbot.store import outbox
from digestbot.store.articles import get_article
from digestbot.store.db import create_engine_for, session_factory
from digestbot.store.models import OutboxMessage, OutboxState, Subscriber
from tests.support.bot import ADMIN, ANN, LI, BotHarness
from tests.support.databases import postgres_schema
from tests.support.outbox import add_readers, bot_texts
from tests.support.processes import wait_until
from tests.support.settings import local_settings

DROPPED_IN = """---
title: Dropped in
date: 2026-05-24
tags: [tech]
---
# Dropped in

An article the operator dropped into the folder while the bot ran.

[Source](https://example.com/dropped-in)
"""


@pytest.fixture
def bot_settings(bot_settings: Settings, tmp_path: Path) -> Settings:
    """The harness settings with an articles folder: one good file, one broken one."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.md").write_text(DROPPED_IN, encoding="utf-8")
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    return replace(bot_settings, paths=PathSettings(articles_dir=folder))


async def test_wake_sender_delivers_what_was_enqueued(bot: BotHarness) -> None:
    await bot.say(ANN, "/start")
    with bot.sessions.begin() as session:
        outbox.enqueue(session, ANN, ["<b>one</b>", "two"], now=datetime.now(UTC))
    bot.runtime.wake()

    first = await bot.driver.next_bot_message(ANN, timeout=10)
    second = await bot.driver.next_bot_message(ANN, timeout=10)
    assert (first["text"], second["text"]) == ("one", "two")
    assert first["html"] == "<b>one</b>"


def _subscribed_long_ago(session: Session, chat_id: int, digest_time: time, zone: str) -> None:
    session.execute(
        update(Subscriber)
        .where(Subscriber.chat_id == chat_id)
        .values(
            digest_time=digest_time,
            timezone=zone,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )


async def test_tick_plans_due_digests_and_the_sender_delivers_them(bot: BotHarness) -> None:
    await bot.say(ANN, "/start")
    await bot.say(LI, "/start")
    with bot.sessions.begin() as session:
        _subscribed_long_ago(session, ANN, time(8, 0), "Europe/London")
        _subscribed_long_ago(session, LI, time(8, 0), "Asia/Shanghai")
    bot.clock.now = datetime(2026, 5, 25, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai, 01:30 London

    report = await bot.runtime.tick()
    assert report is not None
    assert [p.chat_id for p in report.planned] == [LI]
    digests = [await bot.driver.next_bot_message(LI, timeout=10) for _ in range(report.messages)]
    assert all(m["text"] for m in digests)
    assert bot.runtime.sender is not None
    await bot.runtime.sender.wait_idle()

    again = await bot.runtime.tick()
    assert again is not None
    assert again.planned == ()
    stats = await bot.say(ADMIN, "/stats")
    delivery = (
        f"Delivery: {report.messages} sent today, 0 pending, 0 failed, 0 readers blocked the bot"
    )
    assert delivery in stats["text"].splitlines()
    with bot.sessions() as session:
        states = session.scalars(select(OutboxMessage.state).where(OutboxMessage.chat_id == LI))
        assert set(states) == {OutboxState.SENT}
        assert not session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == ANN)).all()


@pytest.mark.postgres
async def test_tick_is_skipped_while_another_process_holds_the_lock(bot: BotHarness) -> None:
    if bot.sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("the tick lock is PostgreSQL's")
    with bot.sessions.begin() as other:
        assert other.scalar(tick_lock())
        assert await bot.runtime.tick() is None
    assert await bot.runtime.tick() is not None


@pytest.mark.postgres
async def test_a_tick_in_another_schema_of_the_database_does_not_hold_this_one_off(
    bot: BotHarness,
) -> None:
    if bot.sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("the tick lock is PostgreSQL's")
    with postgres_schema() as url:
        engine = create_engine_for(url)
        try:
            with session_factory(engine).begin() as other_install:
                assert other_install.scalar(tick_lock())
                assert await bot.runtime.tick() is not None
        finally:
            engine.dispose()


async def test_rescan_loads_new_files_and_logs_a_broken_one_once(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="digestbot.bot.runtime")
    first = await bot.runtime.rescan()
    second = await bot.runtime.rescan()

    assert first is not None
    assert second is not None
    assert [r.path.name for r in second.rejected] == ["broken.md"]
    with bot.sessions() as session:
        dropped_in = get_article(session, "good")
    assert dropped_in is not None
    assert dropped_in.texts
    logged = caplog.get_records("setup") + caplog.get_records("call")  # the start-up rescan too
    broken = [r for r in logged if "broken.md" in r.getMessage()]
    assert len(broken) == 1


async def test_the_sender_starts_with_the_application_and_stops_with_it(
    emulator: Emulator, sessions: sessionmaker[Session]
) -> None:
    add_readers(emulator, sessions, range(1, 2))
    with sessions.begin() as session:
        outbox.enqueue(session, 1, ["queued before the start"], now=datetime.now(UTC))
    app = build_application(
        BotDeps(local_settings(), sessions), emulator.token, api_url=emulator.base_url
    )
    async with serving(app, long_polling(timeout=1)) as runtime:
        await emulator.driver.wait_for(  # the bot also greets the reader's /start
            lambda: True if "queued before the start" in bot_texts(emulator, 1) else None, 10
        )
        assert runtime.sender is not None
    assert runtime.sender is None
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("digestbot:")]


async def test_stop_finishes_the_sends_in_flight_and_leaves_none_marked_in_flight(
    sessions: sessionmaker[Session],
) -> None:
    chats = range(1, 13)
    async with Emulator(latency=0.5) as emulator:  # each send takes 0.5 s: several in flight
        add_readers(emulator, sessions, chats)
        with sessions.begin() as session:
            for chat_id in chats:
                outbox.enqueue(session, chat_id, [f"message for {chat_id}"], now=datetime.now(UTC))
        app = build_application(
            BotDeps(local_settings(), sessions), emulator.token, api_url=emulator.base_url
        )

        def one_delivered() -> bool | None:
            texts = (t for c in chats for t in bot_texts(emulator, c))
            return True if any(t.startswith("message for") for t in texts) else None

        async with serving(app, long_polling(timeout=1)):
            await emulator.driver.wait_for(one_delivered, 30)
        delivered = {t for c in chats for t in bot_texts(emulator, c) if t.startswith("message")}
    with sessions() as session:
        rows = session.execute(select(OutboxMessage.text, OutboxMessage.state)).all()
    assert OutboxState.SENDING not in {state for _, state in rows}
    assert {text for text, state in rows if state is OutboxState.SENT} == delivered


async def test_a_sender_whose_getme_got_429_starts_once_the_bot_api_answers(
    emulator: Emulator, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    add_readers(emulator, sessions, [1])
    with sessions.begin() as session:
        outbox.enqueue(session, 1, ["sent once getMe answered"], now=datetime.now(UTC))
    app = build_application(
        BotDeps(local_settings(), sessions), emulator.token, api_url=emulator.base_url
    )
    async with Emulator() as busy:  # the sender's first getMe meets a flood wait there
        busy.faults.add(FaultRule(FaultKind.RETRY_AFTER, method="getMe", count=1))
        servers = iter([busy.base_url, emulator.base_url])
        runtime = app.bot_data.runtime
        app.bot_data.runtime = Runtime(
            runtime.deps,
            app.job_queue,
            lambda: standalone_bot(emulator.token, next(servers, emulator.base_url)),
            runtime.pace,
        )
        async with serving(app, long_polling(timeout=1)):
            await emulator.driver.wait_for(
                lambda: True if "sent once getMe answered" in bot_texts(emulator, 1) else None, 15
            )
    assert any("no answer from the Bot API" in r.getMessage() for r in caplog.records)


async def test_a_file_dropped_into_the_folder_is_loaded_within_seconds(
    bot: BotHarness, bot_settings: Settings
) -> None:
    folder = bot_settings.paths.articles_dir
    assert folder is not None
    (folder / "later.md").write_text(
        DROPPED_IN.replace("Dropped in", "Dropped in later").replace(
            "dropped-in", "dropped-in-later"
        ),
        encoding="utf-8",
    )

    def loaded() -> bool | None:
        with bot.sessions() as session:
            return True if get_article(session, "later") is not None else None

    await wait_until(loaded, timeout=15)  # no timed rescan comes within the test's time
