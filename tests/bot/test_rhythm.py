"""A rhythm per reader, end to end through the sandbox with Telegram 0.2 s away (SQLite and
PostgreSQL): weekdays in Simplified Chinese, weekly, a pause and resuming in Taiwan's Traditional,
an instant tag in Hong Kong's, and in English an instant tag held by quiet hours, then pushed
within seconds of its file once they are off."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from digestbot.config import PathSettings, Settings
from digestbot.delivery.sender import OutboxSender
from digestbot.digest.instant import PUSH_MARK
from digestbot.model import Lang, ReaderRhythm, Rhythm
from digestbot.store import models as m
from digestbot.store.subscribers import set_schedule, set_tags
from tests.support.bot import ANN, LI, BotHarness, button_data, button_labels
from tests.support.content import add_article
from tests.support.processes import wait_until
from tests.support.profiles import stored_profile

TW = 1201  # Telegram language zh-tw
HK = 1202  # zh-hk
PUSHED_WITHIN = 10.0  # seconds from writing a file to its push in the chat (latency 0.2 s a call)


@pytest.fixture
def bot_latency() -> float:
    return 0.2


@pytest.fixture
def bot_settings(bot_settings: Settings, tmp_path: Path) -> Settings:
    """The harness with an empty watched articles folder."""
    folder = tmp_path / "articles"
    folder.mkdir()
    return replace(bot_settings, paths=PathSettings(articles_dir=folder))


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=UTC)


async def tick(bot: BotHarness, now: datetime) -> list[int]:
    """One tick at ``now``, everything it planned sent; the chats that got a digest."""
    bot.clock.now = now
    report = await bot.runtime.tick()
    assert report is not None
    sender = bot.runtime.sender
    assert isinstance(sender, OutboxSender)
    await sender.wait_idle()
    return sorted(p.chat_id for p in report.planned)


async def rhythm_screen(bot: BotHarness, user: int) -> dict[str, Any]:
    """/settings, then its rhythm button: the settings message, now showing the rhythm."""
    settings = await bot.say(user, "/settings")
    assert "rh:open" in button_data(settings)
    await bot.press(user, settings, "rh:open")
    return bot.message(user, settings["message_id"])


async def press(bot: BotHarness, user: int, screen: dict[str, Any], data: str) -> str:
    """Press ``data`` on the screen; the toast (the screen is edited in place)."""
    answer = await bot.press(user, screen, data)
    return str(answer.get("text") or "")


def shown(bot: BotHarness, user: int, screen: dict[str, Any]) -> dict[str, Any]:
    return bot.message(user, screen["message_id"])


def tag_id(bot: BotHarness, name: str) -> int:
    with bot.sessions() as session:
        found = session.scalar(select(m.Tag.id).where(m.Tag.name == name))
    assert found is not None
    return found


def pushes(bot: BotHarness, user: int) -> list[str]:
    return [
        e["text"]
        for e in bot.driver.transcript(user)
        if e["from_bot"] and e["text"].startswith(PUSH_MARK)
    ]


async def test_simplified_reader_chooses_weekdays_and_gets_no_weekend_digest(
    bot: BotHarness,
) -> None:
    bot.clock.now = utc(24, 12)  # Sunday; the reader signs up the day before the first digest
    await bot.say(LI, "/start")
    settings = await bot.say(LI, "/settings")
    assert "推送频率：每天" in settings["text"]
    screen = await rhythm_screen(bot, LI)
    assert screen["text"].startswith("推送频率\n摘要：每天\n下一期摘要：2026年5月25日08:00")
    assert "免打扰时段22:00至07:00" in screen["text"]
    assert "先用 /tags 关注标签" in screen["text"]  # no followed tag: nothing to make instant
    assert button_labels(screen)[:4] == ["✅ 每天", "工作日", "每周", "暂停"]
    assert await press(bot, LI, screen, "rh:r:weekdays") == "摘要：工作日"
    assert "✅ 工作日" in button_labels(shown(bot, LI, screen))
    assert stored_profile(bot, LI).rhythm == ReaderRhythm(Rhythm.WEEKDAYS)
    days = {day: await tick(bot, utc(day, 0, 5)) for day in (29, 30, 31)}  # Fri, Sat, Sun 08:05
    assert days == {29: [LI], 30: [], 31: []}
    assert await tick(bot, datetime(2026, 6, 1, 0, 5, tzinfo=UTC)) == [LI]  # Monday
    await press(bot, LI, shown(bot, LI, screen), "rh:back")
    assert "推送频率：工作日" in shown(bot, LI, screen)["text"]


async def test_taiwan_reader_goes_weekly_then_pauses_then_resumes(bot: BotHarness) -> None:
    bot.user(TW, "小美", "zh-tw")
    bot.clock.now = utc(24, 12)
    await bot.say(TW, "/start")
    screen = await rhythm_screen(bot, TW)
    await press(bot, TW, screen, "rh:wk")
    picking = shown(bot, TW, screen)
    assert picking["text"].endswith("每週摘要在星期幾傳送？")
    assert button_labels(picking)[4:11] == [
        "星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日",
    ]  # fmt: skip
    assert await press(bot, TW, picking, "rh:w:2") == "摘要：每星期三"
    assert "下一期摘要：2026年5月27日08:00" in shown(bot, TW, screen)["text"]
    assert [await tick(bot, utc(day, 0, 5)) for day in (25, 26, 27)] == [[], [], [TW]]

    bot.clock.now = utc(27, 4)  # Wednesday noon in the reader's zone (the default, Shanghai)
    await press(bot, TW, shown(bot, TW, screen), "rh:pz")
    choices = shown(bot, TW, screen)
    assert choices["text"].endswith("摘要暫停到哪一天？")
    assert button_labels(choices)[4:8] == ["5月30日", "6月3日", "6月10日", "6月26日"]
    assert await press(bot, TW, choices, "rh:p:20260603") == "摘要：暫停至2026年6月3日"
    assert "恢復" in button_labels(shown(bot, TW, screen))
    assert [await tick(bot, utc(day, 0, 5)) for day in (28, 29, 30, 31)] == [[], [], [], []]
    assert await tick(bot, datetime(2026, 6, 3, 0, 5, tzinfo=UTC)) == [TW]

    await press(bot, TW, shown(bot, TW, screen), "rh:back")
    assert "推送頻率：暫停至2026年6月3日" in shown(bot, TW, screen)["text"]
    await press(bot, TW, shown(bot, TW, screen), "rh:open")
    assert await press(bot, TW, shown(bot, TW, screen), "rh:resume") == "摘要：每天"
    assert stored_profile(bot, TW).rhythm.rhythm is Rhythm.DAILY


async def test_hong_kong_reader_makes_a_tag_instant_and_gets_it_pushed(bot: BotHarness) -> None:
    bot.user(HK, "家豪", "zh-hk")
    bot.clock.now = utc(25, 4)  # noon in the reader's zone (the bot's default, Shanghai)
    await bot.say(HK, "/start")
    with bot.sessions.begin() as session:
        set_tags(session, HK, ["tech", "world"])
    screen = await rhythm_screen(bot, HK)
    assert "即時標籤：無" in screen["text"]
    assert await press(bot, HK, screen, f"rh:i:{tag_id(bot, 'tech')}") == "已設為即時：科技"
    after = shown(bot, HK, screen)
    assert "即時標籤：科技" in after["text"]
    assert "⚡ 科技" in button_labels(after)
    new = add_article(bot, "hk_chips", {Lang.ZH: ("芯片出口新规", "软件与芯片需求强劲。")})
    await tick(bot, utc(25, 4, 1))
    [push] = await wait_until(lambda: pushes(bot, HK) or None, timeout=10)
    assert push.startswith("⚡ 芯片出口新規")  # Hong Kong standard
    assert f"/read_{new}" in push
    await tick(bot, utc(25, 4, 2))
    assert len(pushes(bot, HK)) == 1
    assert await press(bot, HK, after, f"rh:i:{tag_id(bot, 'tech')}") == "不再即時：科技"


async def test_english_instant_tag_waits_out_quiet_hours_then_comes_within_seconds(
    bot: BotHarness, bot_settings: Settings
) -> None:
    folder = bot_settings.paths.articles_dir
    assert folder is not None
    bot.clock.now = utc(25, 0)  # 01:00 in London
    await bot.say(ANN, "/start")
    with bot.sessions.begin() as session:
        set_schedule(session, ANN, timezone="Europe/London")
        set_tags(session, ANN, ["tech"])
    screen = await rhythm_screen(bot, ANN)
    assert "Quiet hours, 22:00 to 07:00: instant articles wait until morning." in screen["text"]
    assert await press(bot, ANN, screen, f"rh:i:{tag_id(bot, 'tech')}") == "Instant: Tech"
    (folder / "night.md").write_text(article("Night shift chips"), encoding="utf-8")
    await wait_until(lambda: loaded(bot, "Night shift chips"), timeout=10)
    await tick(bot, utc(25, 0, 1))
    assert pushes(bot, ANN) == []  # 01:01 in London: quiet hours

    await press(bot, ANN, shown(bot, ANN, screen), "rh:q")
    now_off = shown(bot, ANN, screen)
    assert "Quiet hours off: instant articles come day and night." in now_off["text"]
    assert "Quiet hours: off" in button_labels(now_off)
    written = time.monotonic()
    (folder / "dawn.md").write_text(article("Dawn chip fab"), encoding="utf-8")
    found = await wait_until(lambda: pushes(bot, ANN) if len(pushes(bot, ANN)) == 2 else None, 20)
    took = time.monotonic() - written
    assert took < PUSHED_WITHIN, took  # the watch loads the file and ticks at once
    assert sorted(p.split("\n")[0] for p in found) == ["⚡ Dawn chip fab", "⚡ Night shift chips"]
    assert stored_profile(bot, ANN).rhythm == ReaderRhythm(quiet_hours=False)
    digest = await bot.say(ANN, "/digest")
    while digest["text"].startswith(PUSH_MARK):  # the pushes, read before the reply
        digest = await bot.driver.next_bot_message(ANN, 10)
    assert "Dawn chip fab" not in digest["text"]
    assert "Night shift chips" not in digest["text"]


def article(title: str) -> str:
    return (
        f"---\ntitle: {title}\ndate: 2026-05-24\ntags: [tech]\n---\n# {title}\n\n"
        f"{title} made news overnight.\n\n[Source](https://example.com/{len(title)})\n"
    )


def loaded(bot: BotHarness, title: str) -> bool | None:
    with bot.sessions() as session:
        found = session.scalar(select(m.ArticleText.id).where(m.ArticleText.title == title))
    return True if found is not None else None
