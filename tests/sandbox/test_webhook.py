"""Getting updates: long polling (early return, conflicts, idle CPU) and webhook delivery."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox.updates import WEBHOOK_CONFLICT
from digestbot.sandbox.wire import HttpRequest, HttpResponse, HttpServer
from tests.support.sandbox import BotApi, PtbApp, webhook

TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class Receiver:
    """A webhook endpoint that keeps what it receives and answers with ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[HttpRequest] = []
        self.server = HttpServer(self.handle)

    async def handle(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return HttpResponse(self.status, b"")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/hook"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    await hook.server.start()
    yield hook
    await hook.server.stop()


@pytest.fixture
async def api(emulator: Emulator) -> AsyncIterator[BotApi]:
    emulator.driver.create_user(1, "Ann")
    async with httpx.AsyncClient(timeout=60) as client:
        yield BotApi(emulator, client)


async def test_long_poll_returns_as_soon_as_an_update_arrives(api: BotApi) -> None:
    emu = api.emulator
    started = time.monotonic()
    poll = asyncio.create_task(api.ok("getUpdates", timeout=30))
    await emu.driver.wait_for(lambda: emu.updates.waiting or None)
    emu.driver.send_text(1, "wake up")
    updates = await poll
    assert [u["message"]["text"] for u in updates] == ["wake up"]
    assert time.monotonic() - started < 10


async def test_newer_poll_terminates_the_older_with_409(api: BotApi) -> None:
    emu = api.emulator
    older = asyncio.create_task(api.error("getUpdates", timeout=30))
    await emu.driver.wait_for(lambda: emu.updates.waiting or None)
    assert await api.ok("getUpdates", timeout=0) == []
    assert await older == (409, TERMINATED)


async def test_idle_long_poll_uses_no_measurable_cpu(api: BotApi) -> None:
    cpu = time.process_time()
    wall = time.monotonic()
    assert await api.ok("getUpdates", timeout=1) == []
    assert time.monotonic() - wall >= 0.9  # the timeout is honoured
    assert time.process_time() - cpu < 0.05


async def test_webhook_delivery_with_secret(api: BotApi, receiver: Receiver) -> None:
    emu = api.emulator
    await api.ok("setWebhook", url=receiver.url, secret_token="s3cret-_X")
    assert await api.error("getUpdates") == (409, WEBHOOK_CONFLICT)
    emu.driver.send_text(1, "to the hook")
    await emu.driver.wait_for(lambda: receiver.requests or None)
    request = receiver.requests[0]
    assert request.headers["x-telegram-bot-api-secret-token"] == "s3cret-_X"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body)["message"]["text"] == "to the hook"
    await emu.driver.wait_for(lambda: not emu.state.updates or None)
    info = await api.ok("getWebhookInfo")
    assert info["url"] == receiver.url
    assert info["pending_update_count"] == 0
    assert "last_error_message" not in info


async def test_webhook_without_secret_sends_no_header(api: BotApi, receiver: Receiver) -> None:
    await api.ok("setWebhook", url=receiver.url)
    api.emulator.driver.send_text(1, "plain")
    await api.emulator.driver.wait_for(lambda: receiver.requests or None)
    assert "x-telegram-bot-api-secret-token" not in receiver.requests[0].headers


async def test_failed_delivery_is_reported_and_retried(api: BotApi, receiver: Receiver) -> None:
    emu = api.emulator
    receiver.status = 500
    await api.ok("setWebhook", url=receiver.url)
    emu.driver.send_text(1, "retry me")
    await emu.driver.wait_for(lambda: emu.state.webhook and emu.state.webhook.last_error_message)
    info = await api.ok("getWebhookInfo")
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert info["pending_update_count"] == 1
    receiver.status = 200
    await emu.driver.wait_for(lambda: not emu.state.updates or None)
    assert {json.loads(r.body)["update_id"] for r in receiver.requests} == {1}


async def test_webhook_urls_telegram_refuses(api: BotApi) -> None:
    assert await api.error("setWebhook", url="http://example.org/hook") == (
        400,
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    )
    status, _ = await api.error(
        "setWebhook", url="https://example.org/hook", secret_token="no spaces"
    )
    assert status == 400


async def test_ptb_webhook_checks_the_secret(
    emulator: Emulator, ptb_app: PtbApp, api: BotApi
) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text("got it")

    ptb_app.add_handler(MessageHandler(filters.TEXT, echo))
    driver = emulator.driver
    started = driver.send_text(1, "hi")
    await api.ok("getUpdates", offset=started["update_id"] + 1)  # confirmed: not for the bot
    async with webhook(ptb_app, secret="right-secret") as url:
        await api.ok("setWebhook", url=url, secret_token="wrong-secret")
        driver.send_text(1, "with the wrong secret")
        hook = emulator.state.webhook
        assert hook is not None
        await driver.wait_for(lambda: hook.last_error_message)
        # python-telegram-bot's reason phrase: "403 Request had the wrong secret token"
        assert hook.last_error_message.startswith("Wrong response from the webhook: 403 ")
        assert [m["text"] for m in driver.transcript(1) if m["from_bot"]] == []
        await api.ok("setWebhook", url=url, secret_token="right-secret")
        assert (await driver.next_bot_message(1))["text"] == "got it"


async def test_a_poll_whose_client_hangs_up_is_abandoned(api: BotApi) -> None:
    emu = api.emulator
    _, writer = await asyncio.open_connection("127.0.0.1", emu.port)
    writer.write(f"GET /bot{emu.token}/getUpdates?timeout=30 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    await emu.driver.wait_for(lambda: emu.updates.waiting or None)
    writer.close()
    await writer.wait_closed()
    await emu.driver.wait_for(lambda: not emu.updates.waiting or None)
    emu.driver.send_text(1, "kept")
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["kept"]
    assert emu.recorder.recent[0]["status"] == 0  # the abandoned poll, recorded as dropped
