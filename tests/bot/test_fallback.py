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


FORGED = [
    f"d:{'9' * 27}:0:en",
    f"d:1:{'9' * 27}:zh",
    f"d:{2**63}:0:en",
    f"d:1:{2**31}:en",
    f"m:{'9' * 27}:0",
    f"m:{2**63}:0",
    f"m:1:{'9' * 27}",
    f"r:{'9' * 27}:en",
    f"r:{'9' * 18}:zh",
    f"r:{2**31}:zh",
    f"tag:t:{'9' * 27}:0",
    f"tag:t:{'9' * 18}:0",
    f"tag:p:{'9' * 27}",
    f"s:token:{'9' * 27}",
    "s:token:-1",
    "set:" + "9" * 27,
    "lang:" + "9" * 27,
]


async def test_forged_buttons_with_huge_numbers_are_answered_as_gone(bot: BotHarness) -> None:
    await bot.say(ANN, "/foo")  # the reader has written to the bot first
    gone = {
        "That tag no longer exists. Here are the current tags.",
        "This button has expired.",
        "This is no longer available.",
        "These results have expired. Please search again.",
    }
    # a gone tag's button edits its message into the current tags: each in a message of its own
    editing = [data for data in FORGED if data.startswith("tag:t:")]
    batches = [[data for data in FORGED if data not in editing], *([data] for data in editing)]
    for batch in batches:
        rows = [[InlineKeyboardButton("forged", callback_data=data)] for data in batch]
        sent = await bot.app.bot.send_message(
            ANN, "forged", reply_markup=InlineKeyboardMarkup(rows)
        )
        message = bot.message(ANN, sent.message_id)
        for data in batch:
            answer = await bot.press(ANN, message, data)
            assert answer.get("text") in gone, data
