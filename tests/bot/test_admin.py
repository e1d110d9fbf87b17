"""/stats end to end: figures for administrators, a polite refusal for everyone else."""

from __future__ import annotations

from digestbot.store.articles import count_articles
from digestbot.store.models import SubscriberState
from digestbot.store.subscribers import set_state
from tests.support.bot import ADMIN, ANN, LI, BotHarness


async def test_stats_are_refused_to_readers(bot: BotHarness) -> None:
    refused = await bot.say(ANN, "/stats")
    assert refused["text"] == "Sorry, this command is only for the bot's administrators."
    refused_zh = await bot.say(LI, "/stats")
    assert refused_zh["text"] == "抱歉，此命令仅限机器人管理员使用。"


async def test_stats_show_subscribers_articles_and_tags_to_admins(bot: BotHarness) -> None:
    await bot.say(ANN, "/start")
    await bot.say(LI, "/start")
    await bot.say(1003, "/start")
    with bot.sessions.begin() as session:
        set_state(session, 1003, SubscriberState.UNSUBSCRIBED)
    stats = await bot.say(ADMIN, "/stats")
    lines = stats["text"].splitlines()
    assert lines[0] == "Statistics"
    assert "Subscribers: 2 active, 1 unsubscribed, 0 blocked the bot" in lines
    assert "中文: 1" in lines
    assert "English: 1" in lines  # Ann; the admin never sent /start
    with bot.sessions() as session:
        articles = count_articles(session)
    assert f"Articles: {articles}" in lines
    assert "Tags: 5" in lines


async def test_stats_are_in_chinese_for_a_chinese_admin(bot: BotHarness) -> None:
    bot.user(ADMIN, language_code="zh-hans")
    stats = await bot.say(ADMIN, "/stats")
    lines = stats["text"].splitlines()
    assert lines[0] == "统计数据"
    assert "订阅者：0位活跃，0位已退订，0位已屏蔽机器人" in lines
    assert "活跃订阅者（按语言）：" in lines
