"""The driver over HTTP under /sandbox/: what the web chat page and other processes use."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from digestbot.sandbox.emulator import Emulator
from tests.support.sandbox import BotApi


@pytest.fixture
async def api() -> AsyncIterator[BotApi]:
    async with (
        Emulator(rate_limits=False) as emu,
        httpx.AsyncClient(base_url=emu.base_url) as client,
    ):
        yield BotApi(emu, client)


async def test_user_messages_and_transcript(api: BotApi) -> None:
    client = api.client
    user = await client.post(
        "/sandbox/users", json={"id": 7, "first_name": "Mei", "language_code": "zh"}
    )
    assert user.json()["language_code"] == "zh"
    update = (await client.post("/sandbox/users/7/messages", json={"text": "/start"})).json()
    assert update["message"]["text"] == "/start"
    await api.ok("sendMessage", chat_id=7, text="<b>你好</b>", parse_mode="HTML")
    transcript = (await client.get("/sandbox/chats/7/messages")).json()
    assert [(m["from_bot"], m["text"], m["html"]) for m in transcript] == [
        (False, "/start", "/start"),
        (True, "你好", "<b>你好</b>"),
    ]
    assert set(transcript[1]) >= {
        "message_id",
        "from_bot",
        "text",
        "html",
        "entities",
        "reply_markup",
        "edited",
    }
    assert [u["id"] for u in (await client.get("/sandbox/users")).json()] == [7]
    await api.ok(
        "setMyCommands", commands=[{"command": "start", "description": "开始"}], language_code="zh"
    )
    menu = (await client.get("/sandbox/users/7/commands")).json()
    assert menu == [{"command": "start", "description": "开始"}]


async def test_callback_waits_for_the_answer(api: BotApi) -> None:
    client, driver = api.client, api.emulator.driver
    driver.create_user(7, "Mei")
    driver.send_text(7, "hi")
    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    sent = await api.ok("sendMessage", chat_id=7, text="pick", reply_markup=keyboard)
    no_answer = await client.post(
        "/sandbox/users/7/callbacks",
        json={"message_id": sent["message_id"], "data": "go", "wait": 0},
    )
    assert no_answer.json()["answer"] is None
    query_id = no_answer.json()["update"]["callback_query"]["id"]
    await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Done")
    assert (await driver.callback_answer(query_id))["text"] == "Done"
    missing = await client.post("/sandbox/users/7/callbacks", json={"message_id": 99, "data": "go"})
    assert missing.status_code == 400


async def test_inline_query_and_its_answer(api: BotApi) -> None:
    client = api.client
    api.emulator.driver.create_user(7, "Mei")
    update = (await client.post("/sandbox/users/7/inline", json={"query": "rice"})).json()
    query_id = update["inline_query"]["id"]
    pending = (await client.get("/sandbox/users/7/inline")).json()
    assert pending == {"query_id": query_id, "query": "rice", "answer": None}
    results = [
        {
            "type": "article",
            "id": "1",
            "title": "Rice",
            "input_message_content": {"message_text": "r"},
        }
    ]
    await api.ok("answerInlineQuery", inline_query_id=query_id, results=results)
    answered = (await client.get("/sandbox/users/7/inline")).json()
    assert answered["answer"]["results"] == results


async def test_block_unblock_and_errors(api: BotApi) -> None:
    client = api.client
    await client.post("/sandbox/users", json={"id": 7, "first_name": "Mei"})
    await client.post("/sandbox/users/7/messages", json={"text": "hi"})
    assert (await client.post("/sandbox/users/7/block")).json()["blocked"] is True
    assert await api.error("sendMessage", chat_id=7, text="x") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    assert (await client.post("/sandbox/users/7/unblock")).json()["blocked"] is False
    await api.ok("sendMessage", chat_id=7, text="x")
    assert (await client.post("/sandbox/users/8/messages", json={"text": "x"})).status_code == 404
    assert (await client.post("/sandbox/users", json={"first_name": "x"})).status_code == 400
    assert (await client.post("/sandbox/users", content=b"[")).status_code == 400
    assert (await client.delete("/sandbox/users")).status_code == 405


async def test_requests_and_events(api: BotApi) -> None:
    client = api.client
    await api.ok("getMe")
    await api.error("getChat", chat_id=5)
    entries = (await client.get("/sandbox/requests")).json()
    assert [(e["method"], e["status"]) for e in entries] == [("getMe", 200), ("getChat", 400)]
    assert (
        await client.get("/sandbox/requests", params={"since": entries[0]["seq"]})
    ).json() == entries[1:]
    version = (await client.get("/sandbox/events", params={"wait": 0})).json()["version"]
    api.emulator.driver.create_user(3, "Li")
    later = (await client.get("/sandbox/events", params={"since": version, "wait": 5})).json()
    assert later["version"] > version


async def test_the_driver_root_lists_every_endpoint_with_what_it_does(api: BotApi) -> None:
    for path in ("/sandbox/", "/sandbox"):
        answer = await api.client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == "application/json"
        assert answer.text.startswith("{\n  ")  # indented, for someone reading curl's output
        listing = answer.json()
        assert listing["chat_page"] == "/sandbox/ui/"
        endpoints = listing["endpoints"]
        assert all(e["description"] for e in endpoints)
        shown = {(e["method"], e["path"]) for e in endpoints}
        assert {
            ("GET", "/sandbox/"),
            ("POST", "/sandbox/users"),
            ("POST", "/sandbox/users/{user}/messages"),
            ("GET", "/sandbox/chats/{chat}/messages"),
            ("DELETE", "/sandbox/faults"),
            ("GET", "/sandbox/events"),
        } <= shown
        assert len(shown) == len(api.emulator.control.routes)  # nothing served goes unlisted
    assert api.emulator.token not in (await api.client.get("/sandbox/")).text


async def test_an_unknown_driver_path_points_to_the_listing(api: BotApi) -> None:
    answer = await api.client.get("/sandbox/nope")
    assert answer.status_code == 404
    assert "GET /sandbox/ lists the endpoints" in answer.json()["error"]
