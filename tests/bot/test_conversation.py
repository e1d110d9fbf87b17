"""Conversation state as handlers keep it: quiet while the database is away, pruned once
expired, and each piece with its own lifetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from digestbot.bot.conversation import (
    LIFETIMES,
    Kept,
    await_answer,
    awaited_answer,
    cache_group_admins,
    cached_group_admins,
    end_wait,
    greeting_message,
    recall_search,
    remember_search,
)
from digestbot.bot.deps import BotDeps
from digestbot.store.conversation import put_state
from digestbot.store.db import create_engine_for, session_factory
from digestbot.store.models import ConversationState
from tests.support.bot import ANN, BotHarness
from tests.support.processes import wait_until
from tests.support.settings import local_settings


async def test_lookups_are_quiet_while_the_database_is_away() -> None:
    """Nothing answers on port 1: reads find nothing, writes are lost, nobody raises."""
    engine = create_engine_for("postgresql+psycopg://postgres@127.0.0.1:1/none")
    deps = BotDeps(settings=local_settings(), sessions=session_factory(engine))
    try:
        await await_answer(deps, ANN, ANN, "set:time")
        assert await awaited_answer(deps, ANN, ANN) is None
        await end_wait(deps, ANN, ANN)
        token = await remember_search(deps, ANN, "words")
        assert token
        assert await recall_search(deps, ANN, token) is None
        await cache_group_admins(deps, -5, frozenset({1}))
        assert await cached_group_admins(deps, -5) is None
        assert await greeting_message(deps, ANN) is None
        assert deps.health.away
    finally:
        engine.dispose()


async def test_the_pieces_round_trip_and_end(bot: BotHarness) -> None:
    deps = bot.deps
    await await_answer(deps, ANN, 7, "set:tz")
    assert await awaited_answer(deps, ANN, 7) == "set:tz"
    assert await awaited_answer(deps, ANN, 8) is None  # another member of the chat
    await end_wait(deps, ANN, 7)
    assert await awaited_answer(deps, ANN, 7) is None
    await cache_group_admins(deps, -5, frozenset({3, 1}))
    assert await cached_group_admins(deps, -5) == frozenset({1, 3})


async def test_greeting_is_kept_for_a_day_after_start(bot: BotHarness) -> None:
    greeting = await bot.say(ANN, "/start")

    def kept_until() -> datetime | None:  # the bot keeps it once sendMessage has answered
        with bot.sessions() as session:
            return session.scalar(
                select(ConversationState.expires_at).where(ConversationState.key == Kept.GREETING)
            )

    expires = await wait_until(kept_until, timeout=10)
    assert await greeting_message(bot.deps, ANN) == greeting["message_id"]
    left = expires - datetime.now(UTC)
    assert LIFETIMES[Kept.GREETING] - timedelta(minutes=5) < left <= LIFETIMES[Kept.GREETING]


async def test_the_runtime_clean_up_deletes_what_expired(bot: BotHarness) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=2)
    with bot.sessions.begin() as session:
        for chat in range(5):
            put_state(session, chat, "greeting", chat, now=long_ago, lifetime=timedelta(days=1))
    await await_answer(bot.deps, ANN, ANN, "set:time")
    await bot.runtime.prune()
    with bot.sessions() as session:
        left = session.execute(select(ConversationState.chat_id, ConversationState.key)).all()
    assert [tuple(row) for row in left] == [(ANN, f"{Kept.AWAITED_ANSWER}{ANN}")]


@pytest.mark.parametrize("kept", list(Kept))
def test_every_piece_has_a_lifetime_of_at_most_a_day(kept: Kept) -> None:
    assert timedelta(0) < LIFETIMES[kept] <= timedelta(days=1)
