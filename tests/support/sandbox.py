"""Pytest fixtures for the Bot API emulator and python-telegram-bot applications pointed at it.

A test reads: ``emulator.driver.send_text(1, "/start")``, then
``await emulator.driver.next_bot_message(1)`` and assert on what the bot answered.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram.ext import Application, ApplicationBuilder

from digestbot.sandbox.emulator import Emulator

__all__ = ["BotApi", "FakeClock", "build_ptb_app", "free_port", "polling", "webhook"]

WEBHOOK_SECRET = "sandbox-secret_1"

PtbApp = Application[Any, Any, Any, Any, Any, Any]


class BotApi:
    """Raw Bot API calls over HTTP with JSON bodies, for status and error-text checks."""

    def __init__(self, emulator: Emulator, client: httpx.AsyncClient) -> None:
        self.emulator = emulator
        self.client = client

    def url(self, method: str, token: str | None = None) -> str:
        """``/bot<token>/<method>`` on the emulator."""
        return f"{self.emulator.bot_base_url}{token or self.emulator.token}/{method}"

    async def call(self, method: str, **params: Any) -> httpx.Response:
        """POST ``params`` as JSON; returns the raw response."""
        return await self.client.post(self.url(method), json=params)

    async def ok(self, method: str, **params: Any) -> Any:
        """Call and return ``result``, failing the test on an error envelope."""
        response = await self.call(method, **params)
        body = response.json()
        assert response.status_code == 200, body
        assert body["ok"] is True
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        """Call expecting failure; returns (HTTP status, description) and checks the envelope."""
        response = await self.call(method, **params)
        body = response.json()
        assert body["ok"] is False
        assert body["error_code"] == response.status_code
        return response.status_code, body["description"]


class FakeClock:
    """A monotonic clock that moves only when a test says so (rate limits, query expiry)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for servers that cannot bind port 0 themselves)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def build_ptb_app(
    emulator: Emulator, builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] | None = None
) -> PtbApp:
    """A python-telegram-bot Application whose Bot API is the emulator."""
    builder = builder or Application.builder()
    return (
        builder.token(emulator.token)
        .base_url(emulator.bot_base_url)
        .base_file_url(f"{emulator.base_url}/file/bot")
        .build()
    )


@asynccontextmanager
async def polling(app: PtbApp, poll_timeout: int = 10) -> AsyncIterator[PtbApp]:
    """Run ``app`` with getUpdates long polling for the duration of the block."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@asynccontextmanager
async def webhook(app: PtbApp, secret: str = WEBHOOK_SECRET) -> AsyncIterator[str]:
    """Run ``app`` behind its own webhook server on 127.0.0.1; yields the webhook URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="hook", webhook_url=url, secret_token=secret
        )
        try:
            yield url
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """A running emulator on a free port, rate limits on as on Telegram."""
    async with Emulator() as emu:
        yield emu


@pytest.fixture
def ptb_app(emulator: Emulator) -> PtbApp:
    """An Application pointed at the ``emulator`` fixture (add handlers, then run it)."""
    return build_ptb_app(emulator)


@pytest.fixture
async def bot_api(emulator: Emulator) -> AsyncIterator[BotApi]:
    """Raw HTTP access to the ``emulator`` fixture's Bot API."""
    async with httpx.AsyncClient(timeout=30) as client:
        yield BotApi(emulator, client)
