"""The Python driver: users' actions become updates; transcripts show what users see."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from digestbot.sandbox.driver import DriverError
from digestbot.sandbox.emulator import Emulator
from tests.support.sandbox import BotApi

KEYBOARD = {"inline_keyboard": [[{"text": "Next", "callback_data": "page:2"}]]}


@pytest.fixture
async def api() -> AsyncIterator[BotApi]:
    async with Emulator(rate_limits=False) as emu, httpx.AsyncClient() as client:
        emu.driver.create_user(1, "Ann", "ann", "zh")
        yield BotApi(emu, client)


def test_commands_get_entities_with_bot_name(emulator: Emulator) -> None:
    emulator.driver.create_user(1, "Ann")
    update = emulator.driver.send_text(1, "🙂 /search@digest_sandbox_bot 稻米")
    message = update["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": 3, "length": 26}]
    assert message["from"] == {"id": 1, "is_bot": False, "first_name": "Ann"}
    assert message["chat"]["type"] == "private"


def test_driver_refuses_impossible_actions(emulator: Emulator) -> None:
    with pytest.raises(DriverError, match="no user 9"):
        emulator.driver.send_text(9, "hi")
    emulator.driver.create_user(1, "Ann")
    with pytest.raises(DriverError, match="no bot message"):
        emulator.driver.press_button(1, 1, "x")
    emulator.driver.block(1)
    with pytest.raises(DriverError, match="blocked"):
        emulator.driver.send_text(1, "hi")


async def test_transcript_applies_edits_and_deletions(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.send_text(1, "/start")
    first = await api.ok("sendMessage", chat_id=1, text="<b>粗体</b> 🙂 x", parse_mode="HTML")
    second = await api.ok("sendMessage", chat_id=1, text="gone")
    await api.ok(
        "editMessageText",
        chat_id=1,
        message_id=first["message_id"],
        text="<i>斜体</i> 🙂 <a href='https://example.org'>link</a>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    await api.ok("deleteMessage", chat_id=1, message_id=second["message_id"])
    transcript = driver.transcript(1)
    assert [m["from_bot"] for m in transcript] == [False, True]
    shown = transcript[1]
    assert shown["text"] == "斜体 🙂 link"
    assert shown["html"] == '<i>斜体</i> 🙂 <a href="https://example.org/">link</a>'
    assert shown["entities"][1] == {
        "type": "text_link",
        "offset": 6,
        "length": 4,
        "url": "https://example.org/",
    }
    assert shown["edited"] is True
    assert shown["reply_markup"] == KEYBOARD


async def test_next_bot_message_waits_and_times_out(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.send_text(1, "hi")
    with pytest.raises(TimeoutError):
        await driver.next_bot_message(1, timeout=0.05)
    await api.ok("sendMessage", chat_id=1, text="one")
    await api.ok("sendMessage", chat_id=1, text="two")
    assert (await driver.next_bot_message(1))["text"] == "one"
    assert (await driver.next_bot_message(1))["text"] == "two"


async def test_button_press_and_answer(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.send_text(1, "hi")
    sent = await api.ok("sendMessage", chat_id=1, text="page 1", reply_markup=KEYBOARD)
    with pytest.raises(DriverError, match="no button"):
        driver.press_button(1, sent["message_id"], "page:3")
    update = driver.press_button(1, sent["message_id"], "page:2")
    query = update["callback_query"]
    assert query["from"]["id"] == 1
    assert query["message"]["reply_markup"] == KEYBOARD
    await api.ok("answerCallbackQuery", callback_query_id=query["id"], text="ok", show_alert=True)
    assert await driver.callback_answer(query["id"]) == {
        "text": "ok",
        "show_alert": True,
        "url": None,
    }


async def test_block_and_unblock_send_my_chat_member(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.send_text(1, "hi")
    driver.block(1)
    driver.unblock(1)
    updates = await api.ok("getUpdates")
    statuses = [
        u["my_chat_member"]["new_chat_member"]["status"] for u in updates if "my_chat_member" in u
    ]
    assert statuses == ["kicked", "member"]


async def test_allowed_updates_filter(api: BotApi) -> None:
    driver = api.emulator.driver
    await api.ok("getUpdates", allowed_updates=["callback_query"])
    driver.send_text(1, "ignored")
    assert await api.ok("getUpdates") == []


async def test_a_user_edits_their_message(api: BotApi) -> None:
    driver = api.emulator.driver
    sent = driver.send_text(1, "hello")["message"]
    driver.edit_text(1, sent["message_id"], "/help now")
    edited = [u["edited_message"] for u in await api.ok("getUpdates") if "edited_message" in u]
    assert [(m["message_id"], m["text"]) for m in edited] == [(sent["message_id"], "/help now")]
    assert edited[0]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert "edit_date" in edited[0]
    assert driver.transcript(1)[-1]["text"] == "/help now"
    with pytest.raises(DriverError, match="wrote no message"):
        driver.edit_text(1, 99, "x")


async def test_group_service_messages(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.create_group(-5, "Readers")
    driver.join_group(1, -5)
    driver.rename_group(1, -5, "读者")
    driver.leave_group(1, -5)
    messages = [u["message"] for u in await api.ok("getUpdates") if "message" in u]
    assert [m["new_chat_members"][0]["id"] for m in messages[:1]] == [1]
    assert messages[1]["new_chat_title"] == "读者"
    assert messages[1]["chat"]["title"] == "读者"
    assert messages[2]["left_chat_member"]["id"] == 1
    assert not any("text" in m for m in messages)
    assert [entry["service"] is not None for entry in driver.transcript(-5)] == [True] * 3
    with pytest.raises(DriverError, match="not a group"):
        driver.join_group(1, 1)
