"""Pausing until a day the reader types, end to end through the sandbox with Telegram 0.2 s away
(SQLite and PostgreSQL): "Other date…" under the pause's dates awaits the day, read in Chinese or
English in the reader's own zone; a past, far or unreadable day is explained and asked again;
/cancel keeps the rhythm; a one-tap date ends the wait."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from digestbot.model import ReaderRhythm, Rhythm
from digestbot.store.subscribers import set_schedule
from tests.bot.test_rhythm import press, rhythm_screen, shown, tick
from tests.support.bot import ANN, LI, BotHarness, button_data, button_labels
from tests.support.profiles import stored_profile

TW = 1211  # Telegram language zh-tw
HK = 1212  # zh-hk
SUNDAY_NOON = datetime(2026, 12, 6, 4, tzinfo=UTC)  # 12:00 in Shanghai, the bot's default zone


@pytest.fixture
def bot_latency() -> float:
    return 0.2


async def started(
    bot: BotHarness, user: int, name: str = "", code: str | None = None
) -> dict[str, Any]:
    """The user (``code``: Telegram's language) says /start on Sunday at noon in Shanghai; the
    greeting."""
    bot.user(user, name, code)
    bot.clock.now = SUNDAY_NOON
    return await bot.say(user, "/start")


async def typing_a_date(bot: BotHarness, user: int) -> dict[str, Any]:
    """/settings, the rhythm screen, Pause, then "Other date…": the screen asking for the day."""
    screen = await rhythm_screen(bot, user)
    await press(bot, user, screen, "rh:pz")
    assert "rh:pd" in button_data(shown(bot, user, screen))
    await press(bot, user, shown(bot, user, screen), "rh:pd")
    return shown(bot, user, screen)


def paused_until(bot: BotHarness, user: int) -> date | None:
    rhythm = stored_profile(bot, user).rhythm
    return rhythm.paused_until if rhythm.rhythm is Rhythm.PAUSED else None


async def test_simplified_reader_types_next_monday_after_a_past_date(bot: BotHarness) -> None:
    await started(bot, LI)
    asking = await typing_a_date(bot, LI)
    assert asking["text"].endswith(
        "请发送恢复推送的日期，例如12月25日、下周一或两周。\n发送 /cancel 可保留当前设置。"
    )
    assert "✅ 其他日期…" in button_labels(asking)
    past = await bot.say(LI, "2026年12月1日")
    assert past["text"] == (
        "“2026年12月1日”不在今天（2026年12月6日）之后，请发送更晚的日期，例如下周一或两周。\n"
        "发送 /cancel 可保留当前设置。"
    )
    assert stored_profile(bot, LI).rhythm == ReaderRhythm()
    done = await bot.say(LI, "下周一")
    assert done["text"].startswith(
        "摘要：暂停至2026年12月7日\n\n推送频率\n摘要：暂停至2026年12月7日\n"
        "下一期摘要：2026年12月7日08:00"
    )
    assert "恢复" in button_labels(done)
    assert paused_until(bot, LI) == date(2026, 12, 7)
    search = await bot.say(LI, "芯片")  # the wait is over: words are a search again
    assert "芯片" in search["text"]
    assert "日期" not in search["text"]
    assert await tick(bot, datetime(2026, 12, 6, 4, 1, tzinfo=UTC)) == []
    assert await tick(bot, datetime(2026, 12, 7, 0, 5, tzinfo=UTC)) == [LI]


async def test_taiwan_reader_is_told_an_unreadable_day_then_cancels_then_types_a_date(
    bot: BotHarness,
) -> None:
    await started(bot, TW, "小美", "zh-tw")
    asking = await typing_a_date(bot, TW)
    assert asking["text"].endswith(
        "請傳送恢復推送的日期，例如12月25日、下週一或兩週。\n傳送 /cancel 即可保留目前的設定。"
    )
    unreadable = await bot.say(TW, "下下週")
    assert unreadable["text"].startswith(
        "無法識別日期「下下週」，請按12月25日、下週一或3天這樣的格式傳送。"
    )
    cancelled = await bot.say(TW, "/cancel")
    assert "取消" in cancelled["text"]
    assert stored_profile(bot, TW).rhythm == ReaderRhythm()

    await typing_a_date(bot, TW)
    done = await bot.say(TW, "12月25號")
    assert done["text"].startswith(
        "摘要：暫停至2026年12月25日\n\n推送頻率\n摘要：暫停至2026年12月25日"
    )
    assert "恢復" in button_labels(done)
    assert paused_until(bot, TW) == date(2026, 12, 25)


async def test_hong_kong_reader_pauses_for_two_weeks(bot: BotHarness) -> None:
    await started(bot, HK, "家豪", "zh-hk")
    await typing_a_date(bot, HK)
    too_far = await bot.say(HK, "2028年1月1日")
    assert too_far["text"].startswith("「2028年1月1日」距今超過一年，請傳送一年以內的日期")
    done = await bot.say(HK, "兩週")
    assert done["text"].startswith("摘要：暫停至2026年12月20日")
    assert paused_until(bot, HK) == date(2026, 12, 20)


async def test_english_reader_types_tomorrow_in_their_own_zone(bot: BotHarness) -> None:
    bot.clock.now = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # 23:30 in London, 07:30 Monday
    await bot.say(ANN, "/start")  # in Shanghai
    with bot.sessions.begin() as session:
        set_schedule(session, ANN, timezone="Europe/London")
    asking = await typing_a_date(bot, ANN)
    assert asking["text"].endswith(
        "Send the day your digests should come again, for example 25 Dec, next Monday or "
        "2 weeks.\nSend /cancel to keep the current setting."
    )
    assert "✅ Other date…" in button_labels(asking)
    done = await bot.say(ANN, "tomorrow")
    assert done["text"].startswith("Digests: Paused until Dec 7, 2026\n\n")
    assert "Next digest: Dec 7, 2026, 08:00" in done["text"]
    assert paused_until(bot, ANN) == date(2026, 12, 7)  # London's tomorrow, not Shanghai's

    for data in ("rh:resume", "rh:pz", "rh:pd"):  # the reply is the screen, with its buttons
        await press(bot, ANN, shown(bot, ANN, done), data)
    answer = await press(bot, ANN, shown(bot, ANN, done), "rh:p:20261213")
    assert answer == "Digests: Paused until Dec 13, 2026"  # a one-tap date ends the wait
    search = await bot.say(ANN, "battery")
    assert "battery" in search["text"].lower()
    assert "as a day" not in search["text"]
    assert paused_until(bot, ANN) == date(2026, 12, 13)
