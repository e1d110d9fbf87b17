"""/subscribe and /unsubscribe end to end, in both languages."""

from __future__ import annotations

from digestbot.store.models import SubscriberState
from tests.support.bot import ANN, LI, BotHarness
from tests.support.profiles import profile_of


def _state(bot: BotHarness, chat_id: int) -> SubscriberState | None:
    profile = profile_of(bot, chat_id)
    return None if profile is None else profile.state


async def test_english_reader_unsubscribes_and_comes_back(bot: BotHarness) -> None:
    await bot.say(ANN, "/start")
    already = await bot.say(ANN, "/subscribe")
    assert already["text"] == "You are already subscribed."
    gone = await bot.say(ANN, "/unsubscribe")
    assert gone["text"].startswith("Unsubscribed: no more digests.")
    assert _state(bot, ANN) is SubscriberState.UNSUBSCRIBED
    again = await bot.say(ANN, "/unsubscribe")
    assert again["text"].startswith("You are not subscribed.")
    back = await bot.say(ANN, "/subscribe")
    assert back["text"] == "Subscribed! Your digest arrives every day at 08:00 (China Time)."
    assert _state(bot, ANN) is SubscriberState.ACTIVE


async def test_chinese_reader_subscribes_without_start(bot: BotHarness) -> None:
    not_yet = await bot.say(LI, "/unsubscribe")
    assert not_yet["text"].startswith("你还没有订阅。")
    assert _state(bot, LI) is None
    done = await bot.say(LI, "/subscribe")
    assert done["text"] == "订阅成功！每天08:00（中国时间）为你推送文章摘要。"
    assert _state(bot, LI) is SubscriberState.ACTIVE
    gone = await bot.say(LI, "/unsubscribe")
    assert gone["text"].startswith("已取消订阅")
    assert _state(bot, LI) is SubscriberState.UNSUBSCRIBED
