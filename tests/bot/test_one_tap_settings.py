"""Time and zone in one tap, end to end: buttons for common times and zones, answers typed in the
reader's words (cities, countries, offsets, 7点半, 6pm), zones shown by their localized names."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from digestbot.sandbox.latency import NetworkDelay
from tests.support.bot import ANN, LI, BotHarness, button_data, button_labels
from tests.support.profiles import stored_profile as _profile

TIME_BUTTONS = [f"time:{hour:02d}00" for hour in (6, 7, 8, 9, 10, 12, 18, 21)] + ["time:other"]


async def _question(bot: BotHarness, user: int, data: str) -> dict[str, Any]:
    """/settings, press ``data`` (set:time or set:tz): the question with its buttons."""
    settings = await bot.say(user, "/settings")
    await bot.press(user, settings, data)
    return await bot.driver.next_bot_message(user, 10)


async def _choose(bot: BotHarness, user: int, question: dict[str, Any], data: str) -> str:
    """Press a choice under the question; the question's text as it was edited."""
    answer = await bot.press(user, question, data)
    assert answer.get("text") in (None, "")
    return str(bot.message(user, question["message_id"])["text"])


async def _type_zone(bot: BotHarness, user: int, typed: str, stored: str, shown: str) -> None:
    """Ask for the zone, type ``typed``: the answer shows ``shown``, the store holds ``stored``."""
    await _question(bot, user, "set:tz")
    done = await bot.say(user, typed)
    assert shown in done["text"], typed
    assert _profile(bot, user).timezone == stored


async def test_english_reader_picks_a_time_and_a_zone_by_button(bot: BotHarness) -> None:
    question = await _question(bot, ANN, "set:time")
    assert question["text"].startswith("Choose the time of your digest")
    assert button_data(question) == TIME_BUTTONS
    assert "✅ 08:00" in button_labels(question)
    edited = await _choose(bot, ANN, question, "time:0700")
    assert edited.startswith("Your digest now arrives every day at 07:00 (China Time).")
    assert "Digest time: 07:00" in edited
    assert _profile(bot, ANN).digest_time == time(7, 0)

    question = await _question(bot, ANN, "set:tz")
    assert button_labels(question) == [
        "United Kingdom",
        "New York",
        "Los Angeles",
        "Singapore",
        "✅ China",
        "Sydney",
        "Other place",
    ]
    edited = await _choose(bot, ANN, question, "tz:America/New_York")
    assert "(United States (New York) Time)" in edited
    assert "Time zone: United States (New York) Time" in edited
    assert "America/New_York" not in edited
    assert _profile(bot, ANN).timezone == "America/New_York"
    after = await bot.say(ANN, "7:30")  # the choice ended the wait: this is a search
    assert "arrives" not in after["text"]
    assert _profile(bot, ANN).digest_time == time(7, 0)


async def test_chinese_reader_picks_a_zone_by_button_and_types_a_time(bot: BotHarness) -> None:
    question = await _question(bot, LI, "set:tz")
    assert question["text"].startswith("请选择你的时区")
    assert button_labels(question) == ["✅ 中国", "台湾", "香港", "新加坡", "其他地区"]
    edited = await _choose(bot, LI, question, "tz:Asia/Taipei")
    assert edited.startswith("设置成功：每天08:00（台湾时间）为你推送文章摘要。")
    assert "时区：台湾时间" in edited
    assert _profile(bot, LI).timezone == "Asia/Taipei"

    question = await _question(bot, LI, "set:time")
    edited = await _choose(bot, LI, question, "time:other")
    assert edited.startswith("请发送摘要的推送时间，例如7点半、18:30或下午6点。")
    assert button_data(bot.message(LI, question["message_id"])) == []
    for typed, expected in (("7点半", time(7, 30)), ("早上7点", time(7)), ("下午6点", time(18))):
        await _question(bot, LI, "set:time")
        done = await bot.say(LI, typed)
        assert done["text"].startswith(f"设置成功：每天{expected:%H:%M}（台湾时间）"), typed
        assert _profile(bot, LI).digest_time == expected


async def test_chinese_reader_types_cities_countries_and_offsets(bot: BotHarness) -> None:
    for typed, stored, shown in (
        ("北京", "Asia/Shanghai", "中国时间"),
        ("伦敦", "Europe/London", "英国时间"),
        ("倫敦", "Europe/London", "英国时间"),
        ("纽约", "America/New_York", "美国（纽约）时间"),
        ("香港", "Asia/Hong_Kong", "中国香港特别行政区时间"),
        ("UTC+8", "Etc/GMT-8", "UTC+8"),
    ):
        await _type_zone(bot, LI, typed, stored, f"（{shown}）")
    await _question(bot, LI, "set:tz")
    several = await bot.say(LI, "美国")
    assert several["text"].startswith("美国有多个时区，请发送你所在的城市，例如纽约。")
    unknown = await bot.say(LI, "火星")
    assert unknown["text"].startswith("未知的时区：火星。请发送城市或国家名称，例如北京")
    assert "Europe/London" not in unknown["text"]
    done = await bot.say(LI, "台北")
    assert "（台湾时间）" in done["text"]


async def test_english_reader_types_a_city_an_offset_and_times(bot: BotHarness) -> None:
    for typed, stored, shown in (
        ("Tokyo", "Asia/Tokyo", "Japan Time"),
        ("london", "Europe/London", "United Kingdom Time"),
        ("GMT-5", "Etc/GMT+5", "UTC-5"),
    ):
        await _type_zone(bot, ANN, typed, stored, f"Time zone: {shown}")
    await _question(bot, ANN, "set:time")
    wrong = await bot.say(ANN, "teatime")
    assert wrong["text"].startswith("I could not read teatime as a time. Please send it like 7:30")
    done = await bot.say(ANN, "6pm")
    assert done["text"].startswith("Your digest now arrives every day at 18:00 (UTC-5).")
    assert _profile(bot, ANN).digest_time == time(18)


async def test_a_zone_not_offered_is_shown_first_and_marked(bot: BotHarness) -> None:
    await _question(bot, LI, "set:tz")
    await bot.say(LI, "Berlin")
    question = await _question(bot, LI, "set:tz")
    assert button_labels(question)[:2] == ["✅ 德国", "中国"]
    assert button_data(question)[0] == "tz:Europe/Berlin"


async def test_forged_choices_have_expired(bot: BotHarness) -> None:
    await _question(bot, ANN, "set:tz")
    forged = ["tz:Mars/Base", "tz:", "time:2599", "time:0760", "tz:../etc", "tz:" + "A" * 61]
    rows = [[InlineKeyboardButton("forged", callback_data=data)] for data in forged]
    sent = await bot.app.bot.send_message(ANN, "forged", reply_markup=InlineKeyboardMarkup(rows))
    message = bot.message(ANN, sent.message_id)
    for data in forged:
        answer = await bot.press(ANN, message, data)
        assert answer["text"] == "This button has expired.", data
    assert _profile(bot, ANN).timezone == "Asia/Shanghai"
    assert _profile(bot, ANN).digest_time == time(8)


async def test_one_tap_settings_under_latency(bot: BotHarness) -> None:
    bot.emulator.faults.delay = NetworkDelay(0.3, 0.1)
    question = await _question(bot, LI, "set:tz")
    edited = await _choose(bot, LI, question, "tz:Asia/Hong_Kong")
    assert "（中国香港特别行政区时间）" in edited
    question = await _question(bot, LI, "set:time")
    edited = await _choose(bot, LI, question, "time:2100")
    assert edited.startswith("设置成功：每天21:00（中国香港特别行政区时间）")
    question = await _question(bot, ANN, "set:time")
    done = await bot.say(ANN, "18:30")
    assert done["text"].startswith("Your digest now arrives every day at 18:30 (China Time).")
    question = await _question(bot, ANN, "set:tz")
    edited = await _choose(bot, ANN, question, "tz:Europe/London")
    assert "(United Kingdom Time)" in edited
    assert _profile(bot, LI).digest_time == time(21)
    assert _profile(bot, ANN).timezone == "Europe/London"


@pytest.mark.parametrize(
    ("user", "text", "expected"),
    [
        (LI, "你好", "你好！我能帮你找文章：直接发送关键词即可"),
        (LI, "您好！", "你好！我能帮你找文章"),
        (ANN, "hello", "Hello! I find articles for you: send me some words"),
        (ANN, "Hi!", "Hello! I find articles for you"),
    ],
)
async def test_a_greeting_is_answered_not_searched(
    bot: BotHarness, user: int, text: str, expected: str
) -> None:
    reply = await bot.say(user, text)
    assert reply["text"].startswith(expected)
    assert "/help" in reply["text"]
    assert "Nothing found" not in reply["text"]
    assert "没有找到" not in reply["text"]


async def test_chinese_search_title_reads_without_a_stray_space(bot: BotHarness) -> None:
    reply = await bot.say(LI, "阿里巴巴")
    assert reply["text"].startswith("阿里巴巴的搜索结果：共")
    nothing = await bot.say(LI, "无此词语")
    assert nothing["text"].startswith("没有找到与无此词语相关的文章")


@pytest.mark.parametrize(
    ("user", "code", "first_two", "zone"),
    [
        (1201, "zh-tw", ["台灣", "香港"], "Asia/Taipei"),
        (1202, "zh-hk", ["香港", "台灣"], "Asia/Hong_Kong"),
        (1203, "zh-mo", ["香港", "台灣"], "Asia/Hong_Kong"),
    ],
)
async def test_traditional_readers_get_their_region_first(
    bot: BotHarness, user: int, code: str, first_two: list[str], zone: str
) -> None:
    bot.user(user, "讀者", code)
    await bot.say(user, "/start")
    question = await _question(bot, user, "set:tz")
    assert button_labels(question)[:2] == first_two
    assert "✅ 中國" in button_labels(question)  # the default zone, marked where it stands
    assert button_data(question)[0] == f"tz:{zone}"
    await _choose(bot, user, question, f"tz:{zone}")
    assert _profile(bot, user).timezone == zone
