"""A group's digest settings are its admins' to change; every member may still read and search."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from digestbot.bot.handlers.group_admin import CHANGING_BUTTONS
from digestbot.bot.rate_limit import NETWORK_RETRIES
from digestbot.bot.views.preferences import (
    TAG_DONE_DATA,
    SettingsAction,
    tag_page_data,
    tag_toggle_data,
)
from digestbot.bot.views.start import language_data
from digestbot.model import Lang
from digestbot.sandbox.faults import FaultKind, FaultRule
from digestbot.store.models import Subscriber, SubscriberState
from tests.support.bot import ADMIN, ANN, LI, BotHarness, button_data

GROUP = -700
ADMINS_ONLY = "Only this group's admins can change its digest settings."
ZH_ADMINS_ONLY = "只有本群管理员才能更改本群的摘要设置。"  # once the group speaks Chinese


def _group(bot: BotHarness) -> None:
    """A group owned by LI, with ANN as a plain member."""
    for user in (ANN, LI, ADMIN):
        bot.user(user)
    bot.driver.create_group(GROUP, "readers", owner=LI)


def _subscriber(bot: BotHarness) -> Subscriber | None:
    with bot.sessions() as session:
        return session.scalar(select(Subscriber).where(Subscriber.chat_id == GROUP))


async def _in_group(bot: BotHarness, user: int, text: str) -> dict[str, Any]:
    bot.driver.send_text(user, text, chat_id=GROUP)
    return await bot.driver.next_bot_message(GROUP, 10)


async def _press(bot: BotHarness, user: int, message: dict[str, Any], data: str) -> dict[str, Any]:
    update = bot.driver.press_button(user, message["message_id"], data, chat_id=GROUP)
    answer: dict[str, Any] = await bot.driver.callback_answer(update["callback_query"]["id"])
    return answer


async def test_a_member_cannot_subscribe_or_configure_the_group(bot: BotHarness) -> None:
    _group(bot)
    for command in ("/start", "/settings", "/tags", "/language", "/subscribe"):
        reply = await _in_group(bot, ANN, command)
        assert reply["text"] == ADMINS_ONLY, command
    assert _subscriber(bot) is None


async def test_the_owner_configures_and_a_member_cannot_undo_it(bot: BotHarness) -> None:
    _group(bot)
    await _in_group(bot, LI, "/start")
    subscriber = _subscriber(bot)
    assert subscriber is not None
    assert subscriber.state is SubscriberState.ACTIVE

    assert (await _in_group(bot, ANN, "/unsubscribe"))["text"] == ZH_ADMINS_ONLY  # the group's
    settings = await _in_group(bot, LI, "/settings")
    assert "sub:off" in button_data(settings)
    answer = await _press(bot, ANN, settings, "sub:off")
    assert (answer["text"], answer["show_alert"]) == (ZH_ADMINS_ONLY, True)
    subscriber = _subscriber(bot)
    assert subscriber is not None
    assert subscriber.state is SubscriberState.ACTIVE

    await _press(bot, LI, settings, "sub:off")
    subscriber = _subscriber(bot)
    assert subscriber is not None
    assert subscriber.state is SubscriberState.UNSUBSCRIBED


async def test_the_bots_own_admins_may_configure_any_group(bot: BotHarness) -> None:
    _group(bot)
    reply = await _in_group(bot, ADMIN, "/subscribe")
    assert reply["text"].startswith("Subscribed!")


async def test_members_still_read_and_search(bot: BotHarness) -> None:
    _group(bot)
    reply = await _in_group(bot, LI, "/search battery")
    assert reply["text"] != ADMINS_ONLY
    assert (await _in_group(bot, LI, "/help"))["text"] != ADMINS_ONLY


async def test_private_chats_are_not_asked_about_admins(bot: BotHarness) -> None:
    reply = await bot.say(LI, "/settings")
    assert reply["text"] != ADMINS_ONLY
    methods = {entry.get("method") for entry in bot.requests()}
    assert "getChatAdministrators" not in methods


async def test_when_telegram_cannot_list_the_admins_nothing_changes(bot: BotHarness) -> None:
    """Even the owner's /subscribe changes nothing while the admins cannot be listed (one failed
    call is tried again, as a broken connection is; here every try fails)."""
    _group(bot)
    bot.emulator.faults.add(
        FaultRule(
            FaultKind.SERVER_ERROR, method="getChatAdministrators", count=len(NETWORK_RETRIES) + 1
        )
    )
    reply = await _in_group(bot, LI, "/subscribe")
    assert reply["text"] == "抱歉，出了点问题，请稍后再试。"  # LI writes in Chinese
    assert _subscriber(bot) is None


async def test_an_anonymous_admin_writing_as_the_group_may_subscribe_it(bot: BotHarness) -> None:
    _group(bot)
    bot.driver.send_as_group(GROUP, "/subscribe")
    reply = await bot.driver.next_bot_message(GROUP, 10)
    assert reply["text"].startswith("Subscribed!")
    subscriber = _subscriber(bot)
    assert subscriber is not None
    assert subscriber.state is SubscriberState.ACTIVE


def test_the_group_check_covers_every_settings_button() -> None:
    data = [
        *(language_data(lang) for lang in Lang),
        language_data(Lang.ZH, traditional=True),
        tag_toggle_data(7, 2),
        tag_page_data(3),
        TAG_DONE_DATA,
        *(action.value for action in SettingsAction),
    ]
    for value in data:
        assert re.match(CHANGING_BUTTONS, value), value
    for other in ("s:2", "r:5:en", "d:1:0:zh"):  # search pages, /read and digest switches
        assert not re.match(CHANGING_BUTTONS, other), other
