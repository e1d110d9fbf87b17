"""Reading a reader's stored profile in end-to-end bot tests."""

from __future__ import annotations

from digestbot.store.subscribers import Profile, get_profile
from tests.support.bot import BotHarness

__all__ = ["profile_of", "stored_profile"]


def profile_of(bot: BotHarness, chat_id: int) -> Profile | None:
    """The chat's profile as stored now, or None if it never started the bot."""
    with bot.sessions() as session:
        return get_profile(session, chat_id)


def stored_profile(bot: BotHarness, chat_id: int) -> Profile:
    """The chat's profile as stored now; the test fails when there is none."""
    profile = profile_of(bot, chat_id)
    assert profile is not None, f"chat {chat_id} has no profile"
    return profile
