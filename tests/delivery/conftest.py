"""Delivery fixtures: a migrated database (SQLite, and PostgreSQL where it runs), readers who have
written to the bot in the emulator and have a subscriber row, and a plain bot for the sender."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.request import HTTPXRequest

from digestbot.articles.model import Lang
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import Subscriber, SubscriberState


@pytest.fixture
def sessions(bot_database: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated, empty database (SQLite, and PostgreSQL where it runs)."""
    engine = create_engine_for(bot_database)
    upgrade_schema(engine)
    yield session_factory(engine)
    engine.dispose()


def add_readers(emulator: Emulator, sessions: sessionmaker[Session], chat_ids: range) -> None:
    """Readers who have written to the bot (so it may write back) with active subscriber rows."""
    for chat_id in chat_ids:
        emulator.driver.create_user(chat_id, f"Reader {chat_id}")
        emulator.driver.send_text(chat_id, "/start")
    with sessions.begin() as session:
        session.execute(
            insert(Subscriber),
            [
                {
                    "chat_id": chat_id,
                    "language": Lang.EN,
                    "timezone": "UTC",
                    "digest_time": time(8, 0),
                    "state": SubscriberState.ACTIVE,
                }
                for chat_id in chat_ids
            ],
        )


def now() -> datetime:
    """The wall clock in UTC."""
    return datetime.now(UTC)


@pytest.fixture
async def plain_bot(emulator: Emulator) -> AsyncIterator[Bot]:
    """A bot without a rate limiter or retries, pointed at the emulator."""
    request = HTTPXRequest(connection_pool_size=8)
    async with Bot(emulator.token, base_url=emulator.bot_base_url, request=request) as bot:
        yield bot
