"""The send budget on PostgreSQL: split among the senders whose owner locks are live, taken up
again when one goes, and a safe 1 message/s while the senders cannot be counted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from digestbot.delivery.budget import SharedBudget
from digestbot.delivery.claims import ClaimOwner
from digestbot.delivery.pacing import JOIN_SECONDS, SAFE_RATE, GlobalPace
from digestbot.store.db import create_engine_for, session_factory

pytestmark = pytest.mark.postgres


async def settles(probe: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not probe():
        assert loop.time() < deadline, "not within the time"
        await asyncio.sleep(0.05)


async def test_the_rate_is_split_among_live_senders_and_taken_up_when_one_goes(
    engine: Engine,
) -> None:
    owners = [ClaimOwner(engine) for _ in range(3)]
    pace = GlobalPace(30.0)
    budget = SharedBudget(session_factory(engine), pace)
    try:
        owners[0].ensure()  # this process's lock, and one other sender's
        owners[1].ensure()
        started = asyncio.get_running_loop().time()
        await budget.join()
        assert pace.rate == 15.0
        assert pace.reserve(started) >= started + JOIN_SECONDS  # others count it first
        owners[2].ensure()
        await settles(lambda: pace.rate == 10.0)
        owners[1].close()
        owners[2].close()  # gone as a killed process's session goes
        await settles(lambda: pace.rate == 30.0)
    finally:
        budget.close()
        for owner in owners:
            owner.close()


async def test_senders_that_cannot_be_counted_send_at_the_safe_rate() -> None:
    away = create_engine_for("postgresql+psycopg://postgres@127.0.0.1:9/nowhere")
    pace = GlobalPace(1000.0)
    budget = SharedBudget(session_factory(away), pace)
    try:
        await budget.join()
        assert pace.rate == SAFE_RATE
    finally:
        budget.close()
        away.dispose()
