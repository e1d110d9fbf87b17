"""Delivery fixtures: an emulator without flood limits, a plain bot (``sessions``: the
bot harness's) and an upgraded PostgreSQL schema of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import Engine

from digestbot.delivery.tick import standalone_bot
from digestbot.delivery.transport import OutboxBot
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, upgrade_schema
from tests.support.databases import postgres_schema


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


@pytest.fixture
def engine() -> Iterator[Engine]:
    """An upgraded database in a PostgreSQL schema of its own (the test needs the server)."""
    with postgres_schema() as url:
        engine = create_engine_for(url)
        upgrade_schema(engine)
        yield engine
        engine.dispose()
