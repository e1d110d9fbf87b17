"""What the bot says about when digests come follows each reader's rhythm, end to end through the
sandbox with Telegram 0.2 s away (SQLite and PostgreSQL): /subscribe's confirmation, the welcome
back, a greeting's reply, /help and a changed digest time, in Simplified Chinese, Taiwan's and
Hong Kong's Traditional Chinese and English."""

from __future__ import annotations

import pytest

from tests.bot.test_rhythm import press, rhythm_screen
from tests.bot.test_rhythm_typed_pause import started
from tests.support.bot import ANN, LI, BotHarness

TW = 1221  # Telegram language zh-tw
HK = 1222  # zh-hk


@pytest.fixture
def bot_latency() -> float:
    return 0.2


async def choose(bot: BotHarness, user: int, *presses: str) -> None:
    """/settings, the rhythm screen, then each button in turn."""
    screen = await rhythm_screen(bot, user)
    for data in presses:
        await press(bot, user, bot.message(user, screen["message_id"]), data)


async def resubscribe(bot: BotHarness, user: int, command: str = "/subscribe") -> str:
    await bot.say(user, "/unsubscribe")
    return str((await bot.say(user, command))["text"])


async def test_simplified_weekday_reader_hears_weekdays_everywhere(bot: BotHarness) -> None:
    greeting = await started(bot, LI)
    assert "摘要每天08:00（中国时间）送达，可在 /settings 中修改。" in greeting["text"]
    await choose(bot, LI, "rh:r:weekdays")
    assert await resubscribe(bot, LI) == "订阅成功！每个工作日08:00（中国时间）为你推送文章摘要。"
    help_text = (await bot.say(LI, "/help"))["text"]
    assert help_text.endswith("你的摘要每个工作日08:00（中国时间）送达，可在 /settings 中修改。")
    assert "每天" not in help_text
    hello = await bot.say(LI, "你好")
    assert hello["text"].startswith(
        "你好！我每个工作日08:00（中国时间）为你推送文章摘要，也能帮你找文章"
    )


async def test_taiwan_weekly_reader_changes_the_time_and_hears_the_weekday(
    bot: BotHarness,
) -> None:
    await started(bot, TW, "小美", "zh-tw")
    await choose(bot, TW, "rh:wk", "rh:w:2")
    settings = await bot.say(TW, "/settings")
    await bot.press(TW, settings, "set:time")
    question = await bot.driver.next_bot_message(TW, 10)
    await bot.press(TW, question, "time:0700")
    edited = bot.message(TW, question["message_id"])["text"]
    assert edited.startswith("設定完成：每星期三07:00（中國時間）為你推送文章摘要。")
    help_text = (await bot.say(TW, "/help"))["text"]
    assert "你的摘要每星期三07:00（中國時間）送達，可以在 /settings 中修改。" in help_text


async def test_hong_kong_reader_paused_is_welcomed_back_with_the_day_digests_resume(
    bot: BotHarness,
) -> None:
    await started(bot, HK, "家豪", "zh-hk")
    await choose(bot, HK, "rh:pz", "rh:p:20261220")
    welcome = await resubscribe(bot, HK, "/start")
    assert welcome.startswith(
        "歡迎回來，家豪！\n訂閱成功！從2026年12月20日起每天08:00（中國時間）為你推送"
    )


async def test_english_weekly_reader_and_an_unsubscribed_reader(bot: BotHarness) -> None:
    await started(bot, ANN)
    await choose(bot, ANN, "rh:wk", "rh:w:4")
    assert await resubscribe(bot, ANN) == (
        "Subscribed! Your digest arrives every Friday at 08:00 (China Time)."
    )
    help_text = (await bot.say(ANN, "/help"))["text"]
    assert help_text.endswith(
        "Your digest arrives every Friday at 08:00 (China Time); /settings changes that."
    )
    assert "/subscribe — Get the digest of new articles" in help_text
    assert "daily" not in help_text
    hello = (await bot.say(ANN, "hello"))["text"]
    assert hello.startswith(
        "Hello! I send you a digest of articles every Friday at 08:00 (China Time), and I find"
    )

    await bot.say(ANN, "/unsubscribe")  # no digest: none is promised
    assert "Your digest arrives" not in (await bot.say(ANN, "/help"))["text"]
    hello = (await bot.say(ANN, "hello"))["text"]
    assert hello.startswith("Hello! I find articles for you")
    assert "Send /subscribe for a digest of new articles" in hello
