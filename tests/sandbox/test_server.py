"""The emulator's HTTP surface: tokens, method names, parameter encodings, envelopes."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox.validate import METHODS
from digestbot.sandbox.wire import HttpRequest, HttpResponse, HttpServer
from tests.support.sandbox import BotApi


def started_user(emulator: Emulator, user_id: int = 5) -> int:
    emulator.driver.create_user(user_id, "Cy")
    emulator.driver.send_text(user_id, "hello")
    return user_id


async def test_wrong_token_is_401(bot_api: BotApi) -> None:
    response = await bot_api.client.get(bot_api.url("getMe", token="1:wrong"))
    assert response.status_code == 401
    assert response.json() == {
        "ok": False,
        "error_code": 401,
        "description": "Unauthorized: invalid token specified",
    }


async def test_unknown_method_is_404(bot_api: BotApi) -> None:
    assert await bot_api.error("sendTelepathy") == (404, "Not Found: method not found")


async def test_method_names_are_case_insensitive(bot_api: BotApi) -> None:
    for name in ("getMe", "GETME", "getme"):
        me = await bot_api.ok(name)
        assert me["username"] == "digest_sandbox_bot"
        assert me["is_bot"] is True


async def test_parameters_from_every_encoding(emulator: Emulator, bot_api: BotApi) -> None:
    a, b, c, d, e = (started_user(emulator, n) for n in range(11, 16))  # one chat each: 1 msg/s
    client = bot_api.client
    url = bot_api.url("sendMessage")
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    answers = [
        await client.get(url, params={"chat_id": a, "text": "by query"}),
        await client.post(url, data={"chat_id": str(b), "text": "by form", "reply_markup": markup}),
        await client.post(url, json={"chat_id": c, "text": "by json"}),
        await client.post(url, data={"chat_id": str(d)}, files={"text": (None, "by multipart")}),
        await client.post(url, content=_chunks(e), headers={"Content-Type": "application/json"}),
    ]
    assert [a.status_code for a in answers] == [200] * 5
    texts = [a.json()["result"]["text"] for a in answers]
    assert texts == ["by query", "by form", "by json", "by multipart", "by chunks"]
    assert answers[1].json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"


async def _chunks(chat: int):  # type: ignore[no-untyped-def]
    yield b'{"chat_id": %d, ' % chat
    yield b'"text": "by chunks"}'


async def test_message_object_has_telegram_fields(emulator: Emulator, bot_api: BotApi) -> None:
    chat = started_user(emulator)
    message = await bot_api.ok("sendMessage", chat_id=chat, text="<b>hi</b>", parse_mode="HTML")
    assert message["text"] == "hi"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert message["chat"] == {"id": chat, "type": "private", "first_name": "Cy"}
    assert message["from"]["is_bot"] is True
    assert isinstance(message["date"], int)
    assert message["message_id"] == 2  # the user's "hello" was 1


async def test_invalid_json_body_is_400(bot_api: BotApi) -> None:
    response = await bot_api.client.post(
        bot_api.url("sendMessage"), content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["description"].startswith("Bad Request: ")


async def test_set_webhook_answers_with_description(bot_api: BotApi) -> None:
    response = await bot_api.call("setWebhook", url="https://example.org/hook")
    assert response.json() == {"ok": True, "result": True, "description": "Webhook was set"}
    response = await bot_api.call("deleteWebhook")
    assert response.json()["description"] == "Webhook was deleted"
    response = await bot_api.call("deleteWebhook")
    assert response.json()["description"] == "Webhook is already deleted"


async def test_keep_alive_serves_many_requests_on_one_connection(bot_api: BotApi) -> None:
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1)) as client:
        for _ in range(20):
            response = await client.get(bot_api.url("getMe"))
            assert response.status_code == 200


async def test_other_paths_are_404(bot_api: BotApi) -> None:
    base = bot_api.emulator.base_url
    assert (await bot_api.client.get(f"{base}/nothing")).status_code == 404  # "/" -> the page
    assert (await bot_api.client.get(f"{base}/sandbox/nothing")).status_code == 404
    assert (await bot_api.client.get(f"{base}/sandbox/ui/../secret")).status_code == 404


async def test_requests_are_recorded_without_token(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    async with Emulator(record_path=path) as emu, httpx.AsyncClient() as client:
        api = BotApi(emu, client)
        await api.ok("getMe")
        await api.call("setWebhook", url=f"https://example.org/{emu.token}")
        await api.error("sendMessage", chat_id=1, text="x")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["method"] for line in lines] == ["getMe", "setWebhook", "sendMessage"]
    assert [line["status"] for line in lines] == [200, 200, 400]
    assert lines[1]["params"]["url"] == "https://example.org/<token>"
    assert emu.token not in path.read_text()
    assert lines[2]["response"]["description"] == "Bad Request: chat not found"


def test_standalone_emulator_serves_until_terminated() -> None:
    code = (
        "from digestbot.sandbox.emulator import run_emulator_cli\n"
        "raise SystemExit(run_emulator_cli(port=0))"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        banner = process.stdout.readline()
        root = re.search(r"http://127\.0\.0\.1:\d+", banner)
        assert root is not None, banner
        token = process.stdout.readline().split()[1]
        me = httpx.get(f"{root.group()}/bot{token}/getMe").json()
        assert me["result"]["username"] == "digest_sandbox_bot"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


async def test_ui_files_are_served_under_sandbox_ui(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>chat</h1>", encoding="utf-8")
    (tmp_path / "app.js").write_text("let x = 1;", encoding="utf-8")
    async with (
        Emulator(ui_files=tmp_path) as emu,
        httpx.AsyncClient(base_url=emu.base_url) as client,
    ):
        page = await client.get("/sandbox/ui/")
        assert page.text == "<h1>chat</h1>"
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        script = await client.get("/sandbox/ui/app.js")
        assert script.text == "let x = 1;"
        assert (await client.get("/sandbox/ui/missing.css")).status_code == 404
        assert (await client.get("/sandbox/ui/%2e%2e/secret")).status_code == 404


async def test_expect_100_continue(emulator: Emulator) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", emulator.port)
    body = b'{"x": 1}'
    writer.write(
        f"POST /bot{emulator.token}/getMe HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    assert await reader.readuntil(b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(body)
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    writer.close()
    await writer.wait_closed()


def test_every_method_in_the_table_has_a_handler() -> None:
    assert set(Emulator().router.methods) == set(METHODS)


async def test_a_failing_handler_answers_500_and_keeps_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(request: HttpRequest) -> HttpResponse:
        if request.path.endswith("/boom"):
            raise RuntimeError("bug")
        return HttpResponse(200, b"{}")

    server = HttpServer(broken)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            failed = await client.get("/bot123:secret/boom")
            assert failed.status_code == 500
            assert failed.json()["description"] == "Internal Server Error"
            assert (await client.get("/fine")).status_code == 200
    finally:
        await server.stop()
    assert "handling boom failed" in caplog.text
    assert "secret" not in caplog.text


async def test_malformed_request_closes_the_connection(emulator: Emulator) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", emulator.port)
    writer.write(b"POST /x HTTP/1.1\r\nContent-Length: lots\r\n\r\n")
    assert await reader.read() == b""
    writer.close()
    await writer.wait_closed()
