"""Delivery fixtures: a migrated database (SQLite, and PostgreSQL where it runs) and a plain bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.delivery.tick import standalone_bot
from digestbot.delivery.transport import OutboxBot
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema


@pytest.fixture
def sessions(bot_database: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated, empty database (SQLite, and PostgreSQL where it runs)."""
    engine = create_engine_for(bot_database)
    upgrade_schema(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The emulator with its flood limits off (these tests inject faults; pacing turns them on)."""
    async with Emulator(rate_limits=False) as emu:
        yield emu


@pytest.fixture
async def plain_bot(emulator: Emulator) -> AsyncIterator[OutboxBot]:
    """The sender's bot (no rate limiter, no retries), pointed at the emulator."""
    async with standalone_bot(emulator.token, emulator.base_url) as bot:
        yield bot
