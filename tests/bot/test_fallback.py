"""What the bot does with commands and buttons nothing else handles."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from tests.support.bot import ANN, LI, BotHarness


async def test_unknown_command_points_to_help_in_the_readers_language(bot: BotHarness) -> None:
    english = await bot.say(ANN, "/foo")
    assert english["text"] == "I don't know that command. Send /help to see what I can do."
    chinese = await bot.say(LI, "/foo bar")
    assert chinese["text"] == "我不认识这个命令。发送 /help 看看我能做什么。"


async def test_commands_for_another_bot_are_left_alone(bot: BotHarness) -> None:
    bot.user(ANN)
    bot.driver.send_text(ANN, "/foo@some_other_bot")
    reply = await bot.say(ANN, "/foo@digest_sandbox_bot")
    assert reply["text"].startswith("I don't know that command.")
    assert len([m for m in bot.driver.transcript(ANN) if m["from_bot"]]) == 1


async def test_an_unknown_button_is_answered_as_expired(bot: BotHarness) -> None:
    await bot.say(LI, "/foo")  # the reader has written to the bot first
    old = InlineKeyboardMarkup([[InlineKeyboardButton("old", callback_data="zz:gone")]])
    sent = await bot.app.bot.send_message(LI, "an old message", reply_markup=old)
    message = bot.message(LI, sent.message_id)
    answer = await bot.press(LI, message, "zz:gone")
    assert answer["text"] == "这个按钮已失效。"
