"""Old finished messages leave the outbox: in batches, from the bot's cleanup job and after a
``digest send``; open messages stay whatever their age."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import DeliverySettings, Settings
from digestbot.delivery.retention import prune_outbox
from digestbot.delivery.tick import send_once, standalone_bot
from digestbot.delivery.transport import OutboxBot
from digestbot.sandbox.emulator import Emulator
from digestbot.store import outbox
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import OutboxMessage, OutboxState
from tests.support.bot import ANN, BotHarness
from tests.support.outbox import add_readers, bot_texts, now


def _age(
    sessions: sessionmaker[Session],
    ids: list[int],
    days: int,
    state: OutboxState,
    *,
    since: datetime | None = None,
) -> None:
    """Make the rows ``ids`` finished (``state``), last handled ``days`` before ``since`` (now)."""
    with sessions.begin() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(state=state, next_attempt_at=(since or now()) - timedelta(days=days))
        )


def _ids(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))


async def test_cleanup_goes_batch_by_batch_and_keeps_open_messages(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    with sessions.begin() as session:
        old = outbox.enqueue(session, 1, [f"old {i}" for i in range(7)], now=now())
        waiting = outbox.enqueue(session, 2, ["old but never sent"], now=now())
    _age(sessions, old, 40, OutboxState.SENT)
    _age(sessions, waiting, 40, OutboxState.PENDING)
    transactions = 0

    async def db(work):  # type: ignore[no-untyped-def]
        nonlocal transactions
        transactions += 1
        with sessions.begin() as session:
            return work(session)

    with caplog.at_level(logging.INFO, logger="digestbot.delivery.retention"):
        assert await prune_outbox(db, now(), 30, batch=3) == 7
    assert transactions == 3  # 3 + 3 + 1
    assert _ids(sessions) == waiting
    assert "deleted 7 finished message(s) older than 30 days" in caplog.text


async def test_digest_send_cleans_up_after_sending(
    emulator: Emulator, sessions: sessionmaker[Session], plain_bot: OutboxBot
) -> None:
    add_readers(emulator, sessions, [1])
    with sessions.begin() as session:
        stale = outbox.enqueue(session, 1, ["long ago"], now=now())
        fresh = outbox.enqueue(session, 1, ["today"], now=now())
    _age(sessions, stale, 8, OutboxState.SENT)
    settings = Settings(delivery=DeliverySettings(keep_days=7))

    report = await send_once(settings, sessions, plain_bot, linger=0)

    assert report.drained.sent == 1
    assert bot_texts(emulator, 1) == ["today"]
    assert _ids(sessions) == fresh


async def test_the_bots_cleanup_job(bot: BotHarness) -> None:
    with bot.sessions.begin() as session:
        stale = outbox.enqueue(session, ANN, ["long ago"], now=now())
        kept = outbox.enqueue(session, ANN, ["within keep_days"], now=now())
    keep_days = bot.deps.settings.delivery.keep_days
    _age(bot.sessions, stale, keep_days + 1, OutboxState.FAILED, since=bot.clock.now)
    _age(bot.sessions, kept, keep_days - 1, OutboxState.SENT, since=bot.clock.now)
    assert await bot.runtime.prune() == 1
    assert _ids(bot.sessions) == kept


async def test_a_failed_clean_up_does_not_fail_the_send(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    upgrade_schema(engine)
    sessions = session_factory(engine)
    add_readers(emulator, sessions, [1])
    with sessions.begin() as session:
        stale = outbox.enqueue(session, 1, ["long ago"], now=now())
        outbox.enqueue(session, 1, ["today"], now=now())
        session.execute(  # the clean-up fails, as if the database refused it
            text("CREATE TRIGGER keep BEFORE DELETE ON outbox BEGIN SELECT RAISE(ABORT, 'no'); END")
        )
    _age(sessions, stale, 8, OutboxState.SENT)
    settings = Settings(delivery=DeliverySettings(keep_days=7))

    async with standalone_bot(emulator.token, emulator.base_url) as bot:
        report = await send_once(settings, sessions, bot, linger=0)

    assert report.drained.sent == 1
    assert bot_texts(emulator, 1) == ["today"]
    assert "outbox clean-up failed" in caplog.text
    engine.dispose()
