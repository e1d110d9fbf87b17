"""/language end to end: the three buttons, the choice stored and used by every later reply."""

from __future__ import annotations

from digestbot.model import Lang
from tests.support.bot import ANN, LI, BotHarness, button_data, button_labels
from tests.support.profiles import stored_profile


def _language(bot: BotHarness, chat_id: int) -> Lang:
    return stored_profile(bot, chat_id).language


async def test_english_reader_switches_to_chinese(bot: BotHarness) -> None:
    await bot.say(ANN, "/start")
    question = await bot.say(ANN, "/language")
    assert question["text"] == "Which language would you like?"
    assert button_labels(question) == ["简体中文", "繁體中文", "English"]
    answer = await bot.press(ANN, question, "lang:zh")
    assert answer["text"] == "好的，之后我会用中文和你交流。"
    assert bot.message(ANN, question["message_id"])["text"] == "好的，之后我会用中文和你交流。"
    assert _language(bot, ANN) is Lang.ZH
    help_text = await bot.say(ANN, "/help")  # no tags prompt after /language: help comes next
    assert help_text["text"].startswith("我能为你做什么")


async def test_chinese_reader_switches_to_english_and_back(bot: BotHarness) -> None:
    question = await bot.say(LI, "/language")
    assert question["text"] == "你想使用哪种语言？"
    assert button_data(question) == ["lang:zh", "lang:zh-hant", "lang:en"]
    answer = await bot.press(LI, question, "lang:en")
    assert answer["text"] == "Done: I will talk to you in English from now on."
    assert _language(bot, LI) is Lang.EN
    settings = await bot.say(LI, "/settings")
    assert "Language: English" in settings["text"]
    again = await bot.say(LI, "/language")
    assert again["text"] == "Which language would you like?"
    await bot.press(LI, again, "lang:zh")
    assert _language(bot, LI) is Lang.ZH
