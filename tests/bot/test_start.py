"""/start end to end: greeting by name in the reader's language, language buttons, tags, links."""

from __future__ import annotations

from digestbot.model import Lang
from digestbot.store.models import SubscriberState
from digestbot.store.subscribers import set_state
from tests.support.bot import ANN, LI, BotHarness, button_data, button_labels
from tests.support.content import article_id
from tests.support.profiles import stored_profile as _profile


async def test_chinese_reader_is_greeted_in_chinese_and_can_switch_to_english(
    bot: BotHarness,
) -> None:
    greeting = await bot.say(LI, "/start")
    assert greeting["text"].startswith("你好，李雷！")
    assert "摘要每天08:00（中国时间）送达" in greeting["text"]
    assert button_labels(greeting) == ["简体中文", "繁體中文", "English"]
    assert button_data(greeting) == ["lang:zh", "lang:zh-hant", "lang:en"]
    profile = _profile(bot, LI)
    assert (profile.language, profile.state) == (Lang.ZH, SubscriberState.ACTIVE)

    answer = await bot.press(LI, greeting, "lang:en")
    assert answer["text"] == "Done: I will talk to you in English from now on."
    edited = bot.message(LI, greeting["message_id"])
    assert edited["text"] == "Done: I will talk to you in English from now on."
    assert button_data(edited) == []
    tags = await bot.driver.next_bot_message(LI, 10)
    assert tags["text"].startswith("Pick the tags you want to follow.")
    assert "tag:done" in button_data(tags)
    assert _profile(bot, LI).language is Lang.EN

    help_text = await bot.say(LI, "/help")
    assert "What I can do" in help_text["text"]


async def test_english_reader_is_greeted_in_english(bot: BotHarness) -> None:
    greeting = await bot.say(ANN, "/start")
    assert greeting["text"].startswith("Hello Ann!")
    assert greeting["text"].splitlines()[1:] == [
        "It arrives every day at 08:00 (China Time), and /settings can change that.",
        "Which language would you like?",
    ]
    assert button_labels(greeting) == ["简体中文", "繁體中文", "English"]
    await bot.press(ANN, greeting, "lang:zh")
    assert bot.message(ANN, greeting["message_id"])["text"] == "好的，之后我会用中文和你交流。"
    tags = await bot.driver.next_bot_message(ANN, 10)
    assert tags["text"].startswith("请选择你想关注的标签。")


async def test_returning_unsubscribed_reader_is_subscribed_again(bot: BotHarness) -> None:
    await bot.say(ANN, "/start")
    with bot.sessions.begin() as session:
        set_state(session, ANN, SubscriberState.UNSUBSCRIBED)
    again = await bot.say(ANN, "/start")
    assert again["text"].startswith("Welcome back, Ann!")
    assert "Subscribed! Your digest arrives every day at 08:00 (China Time)." in again["text"]
    assert button_labels(again) == ["简体中文", "繁體中文", "English"]
    assert _profile(bot, ANN).state is SubscriberState.ACTIVE


async def test_a_name_with_html_is_shown_as_text(bot: BotHarness) -> None:
    reader = bot.user(1050, first_name="<b>Tom & Jerry</b>", language_code="en")
    greeting = await bot.say(reader, "/start")
    assert greeting["text"].startswith("Hello <b>Tom & Jerry</b>!")


async def test_deep_link_opens_the_article(bot: BotHarness) -> None:
    chips = article_id(bot, "001_chip_export_rules")
    shown = await bot.say(LI, f"/start read_{chips}")
    assert shown["text"].startswith("新一轮芯片出口管制收紧")
    assert _profile(bot, LI).state is SubscriberState.ACTIVE


async def test_deep_link_to_a_missing_article_says_so(bot: BotHarness) -> None:
    shown = await bot.say(ANN, "/start read_99999")
    assert "99999" in shown["text"]
    assert "not found" in shown["text"]
