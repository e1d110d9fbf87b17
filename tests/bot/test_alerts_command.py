"""/alerts end to end: admins turn alerts off and on in their language; readers are refused; an
alert reaches an admin's chat through the outbox, and not once they turned alerts off."""

from __future__ import annotations

from digestbot.monitoring.alerts import AlertKind, Alerts
from digestbot.store.alert_mutes import is_muted
from tests.support.bot import ADMIN, ANN, LI, BotHarness

GROUP = -710
ON = (
    "Alerts are on: I tell you when something goes wrong, at most once an hour for each kind of "
    "problem. Send /alerts off to turn them off."
)
OFF = "Alerts are off. Send /alerts on to turn them back on."


def muted(bot: BotHarness, user_id: int) -> bool:
    with bot.sessions() as session:
        return is_muted(session, user_id)


async def test_readers_are_refused(bot: BotHarness) -> None:
    refused = await bot.say(ANN, "/alerts off")
    assert refused["text"] == "Sorry, this command is only for the bot's administrators."
    refused_zh = await bot.say(LI, "/alerts")
    assert refused_zh["text"] == "抱歉，此命令仅限机器人管理员使用。"
    assert not muted(bot, ANN)


async def test_an_admin_turns_alerts_off_and_on(bot: BotHarness) -> None:
    assert (await bot.say(ADMIN, "/alerts"))["text"] == ON
    assert (await bot.say(ADMIN, "/alerts off"))["text"] == OFF
    assert muted(bot, ADMIN)
    assert (await bot.say(ADMIN, "/alerts"))["text"] == OFF
    assert (await bot.say(ADMIN, "/alerts OFF"))["text"] == OFF  # again: still off
    assert (await bot.say(ADMIN, "/alerts on"))["text"] == ON
    assert not muted(bot, ADMIN)
    usage = await bot.say(ADMIN, "/alerts later")
    assert usage["text"] == "Send /alerts on or /alerts off."
    assert [e["type"] for e in usage.get("entities", [])] == ["code", "code"]


async def test_a_chinese_admin_gets_chinese_answers(bot: BotHarness) -> None:
    bot.user(ADMIN, language_code="zh-hans")
    assert (await bot.say(ADMIN, "/alerts off"))["text"] == (
        "提醒已关闭。发送 /alerts on 可重新开启。"
    )
    assert (await bot.say(ADMIN, "/alerts on"))["text"] == (
        "提醒已开启：出现问题时我会通知你，每类问题每小时最多一次。发送 /alerts off 可关闭提醒。"
    )


async def test_in_a_group_an_admin_is_sent_to_the_private_chat(bot: BotHarness) -> None:
    for user in (ANN, ADMIN):
        bot.user(user)
    bot.driver.create_group(GROUP, "readers", owner=ANN)
    bot.driver.send_text(ADMIN, "/alerts off", chat_id=GROUP)
    reply = await bot.driver.next_bot_message(GROUP, 10)
    assert reply["text"] == "Please send /alerts to me in a private chat."
    assert not muted(bot, ADMIN)


async def test_an_alert_reaches_the_admin_unless_muted(bot: BotHarness) -> None:
    await bot.say(ADMIN, "/start")  # an admin the bot may write to
    assert (await bot.say(ADMIN, "/alerts"))["text"] == ON
    monitor = Alerts(bot.deps, bot.runtime.wake)
    monitor.report(AlertKind.REJECTED_FILES, "seeds/broken.md: the front matter has no title")
    assert await monitor.flush() == 1
    alert = await bot.driver.next_bot_message(ADMIN, 10)
    assert alert["text"].splitlines() == [
        "⚠️ A rescan rejected article files.",
        "• seeds/broken.md: the front matter has no title",
        "",
        "Send /alerts off to turn alerts off.",
    ]
    assert (await bot.say(ADMIN, "/alerts off"))["text"] == OFF
    later = Alerts(bot.deps, bot.runtime.wake)  # a new hour for this one
    later.report(AlertKind.DATABASE_ERROR, "OperationalError: database is locked")
    assert await later.flush() == 0
