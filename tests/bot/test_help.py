"""/help end to end in both languages: every command of the menu with what it does."""

from __future__ import annotations

from digestbot import messages
from tests.support.bot import ANN, LI, BotHarness


async def test_help_lists_every_command_in_english(bot: BotHarness) -> None:
    reply = await bot.say(ANN, "/help")
    text = reply["text"]
    assert text.startswith("What I can do")
    for name, _ in messages.COMMANDS:
        assert f"/{name} — " in text
    assert "/language — Choose Chinese or English" in text
    assert "send me some words to search" in text


async def test_help_is_in_chinese_for_a_chinese_reader(bot: BotHarness) -> None:
    reply = await bot.say(LI, "/help")
    text = reply["text"]
    assert text.startswith("我能为你做什么")
    assert "/search — " in text
    assert "Choose Chinese or English" not in text
    assert "<b>" in reply["html"]
