"""Delivery fixtures: an emulator without flood limits and a plain bot (``sessions``: the
bot harness's)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from digestbot.delivery.tick import standalone_bot
from digestbot.delivery.transport import OutboxBot
from digestbot.sandbox.emulator import Emulator


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
