"""Bot API methods against the emulator: results and every error text from FACTS.md."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

from digestbot.sandbox.driver import DriverError
from digestbot.sandbox.emulator import Emulator
from tests.support.sandbox import BotApi, FakeClock

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
KEYBOARD = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}


@pytest.fixture
async def api() -> AsyncIterator[BotApi]:
    """A Bot API client on an emulator without rate limits, with user 1 who wrote to the bot."""
    async with Emulator(rate_limits=False) as emu, httpx.AsyncClient(timeout=30) as client:
        emu.driver.create_user(1, "Ann", "ann", "en")
        emu.driver.send_text(1, "/start")
        yield BotApi(emu, client)


async def test_users_the_bot_may_not_write_to(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.create_user(2, "Bo")
    assert await api.error("sendMessage", chat_id=2, text="hi") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    driver.block(1)
    assert await api.error("sendMessage", chat_id=1, text="hi") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    assert await api.error("sendMessage", chat_id=99, text="hi") == (
        400,
        "Bad Request: chat not found",
    )
    driver.unblock(1)
    assert (await api.ok("sendMessage", chat_id=1, text="back"))["text"] == "back"
    driver.deactivate(1)
    assert await api.error("sendMessage", chat_id=1, text="hi") == (
        403,
        "Forbidden: user is deactivated",
    )


async def test_group_the_bot_was_kicked_from(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.create_group(-100, "Readers")
    driver.send_text(1, "/digest@digest_sandbox_bot", chat_id=-100)
    sent = await api.ok("sendMessage", chat_id=-100, text="today")
    assert sent["chat"] == {"id": -100, "type": "group", "title": "Readers"}
    driver.kick_bot(-100)
    assert await api.error("sendMessage", chat_id=-100, text="x") == (
        403,
        "Forbidden: bot was kicked from the group chat",
    )


async def test_group_administrators_owner_first(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.create_user(2, "Bo")
    driver.create_user(3, "Cy")
    driver.create_group(-100, "Readers", owner=1, admins=[3])
    admins = await api.ok("getChatAdministrators", chat_id=-100)
    assert [(m["status"], m["user"]["id"]) for m in admins] == [
        ("creator", 1),
        ("administrator", 3),
    ]
    assert admins[1]["can_manage_chat"] is True
    assert admins[1]["can_be_edited"] is False
    assert await api.error("getChatAdministrators", chat_id=1) == (
        400,
        "Bad Request: there are no administrators in the private chat",
    )
    assert await api.error("getChatAdministrators", chat_id=-5) == (
        400,
        "Bad Request: chat not found",
    )
    driver.kick_bot(-100)
    assert await api.error("getChatAdministrators", chat_id=-100) == (
        403,
        "Forbidden: bot was kicked from the group chat",
    )


async def test_python_telegram_bot_reads_the_administrators(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.create_user(2, "Bo")
    driver.create_group(-100, "Readers", owner=2, admins=[1])
    async with Bot(api.emulator.token, base_url=api.emulator.bot_base_url) as bot:
        admins = await bot.get_chat_administrators(-100)
    assert [(type(m).__name__, m.user.first_name) for m in admins] == [
        ("ChatMemberOwner", "Bo"),
        ("ChatMemberAdministrator", "Ann"),
    ]


async def test_an_anonymous_admin_writes_as_the_group(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.create_group(-100, "Readers")
    update = driver.send_as_group(-100, "/subscribe")
    message = update["message"]
    assert message["sender_chat"] == {"id": -100, "type": "group", "title": "Readers"}
    assert message["from"]["username"] == "GroupAnonymousBot"
    assert message["entities"][0]["type"] == "bot_command"
    with pytest.raises(DriverError):
        driver.send_as_group(1, "/subscribe")  # a private chat has no anonymous admins


def test_group_admins_must_be_known_users() -> None:
    emulator = Emulator(rate_limits=False)
    with pytest.raises(DriverError):
        emulator.driver.create_group(-100, "Readers", owner=42)


@pytest.mark.parametrize(
    ("text", "parse_mode", "description"),
    [
        ("x" * 4097, None, "Bad Request: message is too long"),
        ("<b></b>" * 4682 + "x", "HTML", "Bad Request: text is too long"),
        ("", None, "Bad Request: message text is empty"),
        ("<b></b>", "HTML", "Bad Request: text must be non-empty"),
        (
            "<foo>x</foo>",
            "HTML",
            'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 0',
        ),
        (
            "<b>x",
            "HTML",
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
        ),
        (
            "<b><i>x</b></i>",
            "HTML",
            "Bad Request: can't parse entities: "
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
    ],
)
async def test_text_errors(
    api: BotApi, text: str, parse_mode: str | None, description: str
) -> None:
    params = {"chat_id": 1, "text": text} | ({"parse_mode": parse_mode} if parse_mode else {})
    assert await api.error("sendMessage", **params) == (400, description)


async def test_text_at_the_limits_is_accepted(api: BotApi) -> None:
    message = await api.ok(
        "sendMessage", chat_id=1, text="<b>" + "字" * 4096 + "</b>", parse_mode="HTML"
    )
    assert len(message["text"]) == 4096
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 4096}]


async def test_callback_data_over_64_bytes(api: BotApi) -> None:
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "é" * 33}]]}
    assert await api.error("sendMessage", chat_id=1, text="x", reply_markup=markup) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )


async def test_edits(api: BotApi) -> None:
    sent = await api.ok("sendMessage", chat_id=1, text="one", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    assert await api.error("editMessageText", chat_id=1, message_id=999, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    same = {"chat_id": 1, "message_id": mid, "text": "one", "reply_markup": KEYBOARD}
    assert await api.error("editMessageText", **same) == (400, NOT_MODIFIED)
    edited = await api.ok(
        "editMessageText", chat_id=1, message_id=mid, text="<i>two</i>", parse_mode="HTML"
    )
    assert edited["text"] == "two"
    assert "reply_markup" not in edited  # an edit without reply_markup drops the keyboard
    assert isinstance(edited["edit_date"], int)
    assert await api.error("editMessageReplyMarkup", chat_id=1, message_id=mid) == (
        400,
        NOT_MODIFIED,
    )
    with_keys = await api.ok(
        "editMessageReplyMarkup", chat_id=1, message_id=mid, reply_markup=KEYBOARD
    )
    assert with_keys["reply_markup"] == KEYBOARD
    assert await api.error("editMessageText", chat_id=1, message_id=1, text="x") == (
        400,
        "Bad Request: message can't be edited",  # message 1 is the user's /start
    )


async def test_delete_message(api: BotApi) -> None:
    sent = await api.ok("sendMessage", chat_id=1, text="bye")
    assert await api.ok("deleteMessage", chat_id=1, message_id=sent["message_id"]) is True
    assert [m["text"] for m in api.emulator.driver.transcript(1)] == ["/start"]
    assert await api.error("deleteMessage", chat_id=1, message_id=sent["message_id"]) == (
        400,
        "Bad Request: message to delete not found",
    )


async def test_callback_query_answers(api: BotApi) -> None:
    emu = api.emulator
    sent = await api.ok("sendMessage", chat_id=1, text="pick", reply_markup=KEYBOARD)
    update = emu.driver.press_button(1, sent["message_id"], "go")
    query = update["callback_query"]
    assert query["message"]["message_id"] == sent["message_id"]
    assert query["data"] == "go"
    assert await api.error("answerCallbackQuery", callback_query_id="nope") == (400, TOO_OLD)
    too_long = "x" * 201
    status, _ = await api.error("answerCallbackQuery", callback_query_id=query["id"], text=too_long)
    assert status == 400
    assert await api.ok("answerCallbackQuery", callback_query_id=query["id"], text="Done") is True
    assert (await emu.driver.callback_answer(query["id"]))["text"] == "Done"
    assert await api.error("answerCallbackQuery", callback_query_id=query["id"]) == (400, TOO_OLD)


async def test_expired_callback_query() -> None:
    clock = FakeClock()
    async with Emulator(clock=clock) as emu, httpx.AsyncClient() as client:
        api = BotApi(emu, client)
        emu.driver.create_user(1, "Ann")
        emu.driver.send_text(1, "hi")
        sent = await api.ok("sendMessage", chat_id=1, text="pick", reply_markup=KEYBOARD)
        update = emu.driver.press_button(1, sent["message_id"], "go")
        query_id = update["callback_query"]["id"]
        clock.now += 15.5  # Telegram lets a query go unanswered for about 15 s
        assert await api.error("answerCallbackQuery", callback_query_id=query_id) == (400, TOO_OLD)


async def test_inline_query_answer(api: BotApi) -> None:
    emu = api.emulator
    update = emu.driver.send_inline_query(1, "rice")
    query_id = update["inline_query"]["id"]
    article = {
        "type": "article",
        "id": "a",
        "title": "Rice",
        "input_message_content": {"message_text": "rice"},
    }
    many = [article | {"id": str(n)} for n in range(51)]
    assert await api.error("answerInlineQuery", inline_query_id=query_id, results=many) == (
        400,
        "Bad Request: RESULTS_TOO_MUCH",
    )
    assert await api.ok("answerInlineQuery", inline_query_id=query_id, results=[article]) is True
    answer = await emu.driver.inline_answer(query_id)
    assert answer["results"] == [article]


async def test_commands_per_scope_and_language(api: BotApi) -> None:
    english = [{"command": "start", "description": "Start"}]
    chinese = [{"command": "start", "description": "开始"}]
    private = {"type": "all_private_chats"}
    assert await api.ok("setMyCommands", commands=english) is True
    assert (
        await api.ok("setMyCommands", commands=chinese, language_code="zh", scope=private) is True
    )
    assert await api.ok("getMyCommands") == english
    assert await api.ok("getMyCommands", language_code="zh") == []
    assert await api.ok("getMyCommands", language_code="zh", scope=private) == chinese
    driver = api.emulator.driver
    driver.create_user(3, "Li", language_code="zh-hans")  # as Telegram clients report it
    assert driver.commands_for(3) == chinese
    assert driver.commands_for(1) == english
    assert await api.ok("deleteMyCommands") is True
    assert await api.ok("getMyCommands") == []


async def test_chat_action_menu_button_and_get_chat(api: BotApi) -> None:
    assert await api.ok("sendChatAction", chat_id=1, action="typing") is True
    assert api.emulator.state.chat_actions[1] == "typing"
    status, _ = await api.error("sendChatAction", chat_id=1, action="dancing")
    assert status == 400
    assert await api.ok("setChatMenuButton", chat_id=1, menu_button={"type": "commands"}) is True
    chat = await api.ok("getChat", chat_id=1)
    assert chat["id"] == 1
    assert chat["type"] == "private"
    assert chat["username"] == "ann"
    assert await api.error("getChat", chat_id=404) == (400, "Bad Request: chat not found")


async def test_send_document_multipart(api: BotApi) -> None:
    response = await api.client.post(
        api.url("sendDocument"),
        data={"chat_id": "1", "caption": "<b>Digest</b>", "parse_mode": "HTML"},
        files={"document": ("digest.txt", b"\x00\r\nbinary\r\n--", "text/plain")},
    )
    message = response.json()["result"]
    assert message["document"]["file_name"] == "digest.txt"
    assert message["document"]["file_size"] == 13
    assert message["caption"] == "Digest"
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 6}]
    file_id = message["document"]["file_id"]
    assert api.emulator.state.documents[file_id].content == b"\x00\r\nbinary\r\n--"
    again = await api.ok("sendDocument", chat_id=1, document=file_id)
    assert again["document"]["file_id"] == file_id
    assert await api.error("sendDocument", chat_id=1, document=file_id, caption="x" * 1025) == (
        400,
        "Bad Request: message caption is too long",
    )
    assert await api.error("sendDocument", chat_id=1, document="unknown") == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )


async def test_get_updates_offset_and_limit(api: BotApi) -> None:
    driver = api.emulator.driver
    driver.send_text(1, "two")
    driver.send_text(1, "three")
    updates = await api.ok("getUpdates", limit=2)
    assert [u["message"]["text"] for u in updates] == ["/start", "two"]
    first = updates[0]["update_id"]
    rest = await api.ok("getUpdates", offset=first + 1)
    assert [u["message"]["text"] for u in rest] == ["two", "three"]
    assert await api.ok("getUpdates", offset=first + 3) == []
    command = rest[0]["message"]
    assert "entities" not in command
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
