"""/settings end to end: the view, its buttons, and time and time-zone replies (both languages)."""

from __future__ import annotations

from datetime import time
from typing import Any

from digestbot.store.models import SubscriberState
from tests.support.bot import ANN, LI, BotHarness, button_data, button_labels
from tests.support.profiles import stored_profile as _profile


async def _ask(bot: BotHarness, user: int, data: str) -> dict[str, Any]:
    settings = await bot.say(user, "/settings")
    await bot.press(user, settings, data)
    return await bot.driver.next_bot_message(user, 10)


async def test_settings_show_every_setting_with_buttons(bot: BotHarness) -> None:
    shown = await bot.say(ANN, "/settings")
    lines = shown["text"].splitlines()
    assert lines == [
        "Your settings",
        "Language: English",
        "Tags: All topics",
        "Digest time: 08:00",
        "Time zone: China Time",
        "Digests: On",
        "Rhythm: Every day",
        "Articles only in the other language: Shown",
    ]
    assert button_data(shown) == [
        "set:lang",
        "set:tags",
        "set:time",
        "set:tz",
        "rh:open",
        "sub:off",
        "set:other:off",
    ]


async def test_chinese_settings(bot: BotHarness) -> None:
    shown = await bot.say(LI, "/settings")
    assert shown["text"].startswith("你的设置")
    assert "中文" in shown["text"]
    assert "English" not in button_labels(shown)


async def test_change_time_by_reply(bot: BotHarness) -> None:
    question = await _ask(bot, ANN, "set:time")
    assert question["text"].startswith("Choose the time of your digest")
    done = await bot.say(ANN, "7:30")
    assert done["text"].startswith("Your digest now arrives every day at 07:30 (China Time).")
    assert "Digest time: 07:30" in done["text"]
    assert _profile(bot, ANN).digest_time == time(7, 30)
    shown = await bot.say(ANN, "/settings")
    assert "Digest time: 07:30" in shown["text"]


async def test_invalid_time_keeps_waiting_in_chinese(bot: BotHarness) -> None:
    question = await _ask(bot, LI, "set:time")
    assert question["text"].startswith("请选择摘要的推送时间")
    wrong = await bot.say(LI, "25:99")
    assert wrong["text"].startswith("无法识别时间“25:99”")
    done = await bot.say(LI, "20")
    assert done["text"].startswith("设置成功：每天20:00")
    assert _profile(bot, LI).digest_time == time(20, 0)


async def test_time_zone_by_name_and_by_offset(bot: BotHarness) -> None:
    await _ask(bot, ANN, "set:tz")
    done = await bot.say(ANN, "europe/london")
    assert "(United Kingdom Time)" in done["text"]
    assert _profile(bot, ANN).timezone == "Europe/London"
    await _ask(bot, ANN, "set:tz")
    done = await bot.say(ANN, "UTC+08:00")
    assert "Time zone: UTC+8" in done["text"]
    assert _profile(bot, ANN).timezone == "Etc/GMT-8"


async def test_invalid_time_zone_is_explained(bot: BotHarness) -> None:
    await _ask(bot, ANN, "set:tz")
    unknown = await bot.say(ANN, "Mars/Olympus <b>")
    assert unknown["text"].startswith("Unknown time zone: Mars/Olympus <b>.")
    half = await bot.say(ANN, "-05:30")
    assert half["text"].startswith("-05:30 is not a whole number of hours from UTC.")
    cancelled = await bot.say(ANN, "/cancel")
    assert cancelled["text"] == "Cancelled: your settings are unchanged."
    assert _profile(bot, ANN).timezone == "Asia/Shanghai"
    nothing = await bot.say(ANN, "/cancel")
    assert nothing["text"] == "There is nothing to cancel."


async def test_a_command_ends_the_wait(bot: BotHarness) -> None:
    await _ask(bot, LI, "set:time")
    help_text = await bot.say(LI, "/help")
    assert help_text["text"].startswith("我能为你做什么")
    after = await bot.say(LI, "7:30")  # now plain text goes to search, not to the settings
    assert "设置成功" not in after["text"]
    assert _profile(bot, LI).digest_time == time(8, 0)


async def test_unsubscribe_and_subscribe_buttons_edit_the_settings(bot: BotHarness) -> None:
    shown = await bot.say(ANN, "/settings")
    answer = await bot.press(ANN, shown, "sub:off")
    assert answer["text"].startswith("Unsubscribed")
    edited = bot.message(ANN, shown["message_id"])
    assert "Digests: Off" in edited["text"]
    assert "sub:on" in button_data(edited)
    assert _profile(bot, ANN).state is SubscriberState.UNSUBSCRIBED
    answer = await bot.press(ANN, edited, "sub:on")
    assert answer["text"].startswith("Subscribed!")
    assert "Digests: On" in bot.message(ANN, shown["message_id"])["text"]


async def test_language_and_tags_buttons_send_their_choices(bot: BotHarness) -> None:
    choice = await _ask(bot, LI, "set:lang")
    assert button_labels(choice) == ["简体中文", "繁體中文", "English"]
    tags = await _ask(bot, LI, "set:tags")
    assert tags["text"].startswith("请选择你想关注的标签。")


async def test_in_a_group_only_the_user_who_asked_answers(bot: BotHarness) -> None:
    group = -500
    bot.user(ANN)
    bot.user(LI)
    bot.driver.create_group(group, "readers", owner=ANN)
    bot.driver.send_text(ANN, "/settings", chat_id=group)
    settings = await bot.driver.next_bot_message(group, 10)
    bot.driver.press_button(ANN, settings["message_id"], "set:time", chat_id=group)
    await bot.driver.next_bot_message(group, 10)  # the question
    bot.driver.send_text(LI, "6:00", chat_id=group)  # not LI's wait: left to other handlers
    bot.driver.send_text(ANN, "9:15", chat_id=group)
    done = await bot.driver.next_bot_message(group, 10)
    assert done["text"].startswith("Your digest now arrives every day at 09:15")
    assert _profile(bot, group).digest_time == time(9, 15)
    texts = [entry["text"] for entry in bot.driver.transcript(group)]
    assert not any("06:00" in text for text in texts)


async def test_a_very_long_wrong_answer_is_echoed_shortened(bot: BotHarness) -> None:
    await _ask(bot, ANN, "set:time")
    wrong = await bot.say(ANN, "9" * 4000)
    assert wrong["text"].startswith("I could not read " + "9" * 39 + "… as a time.")
    assert len(wrong["text"]) < 300
    await _ask(bot, LI, "set:tz")
    zone = await bot.say(LI, "火星/" * 1300)
    assert len(zone["text"]) < 300
    assert "…" in zone["text"]
    assert _profile(bot, ANN).digest_time == time(8, 0)
