"""The webhook takes updates only from Telegram: a POST without the secret (or with another) is
refused and not acted on, a body over 1 MiB is refused before it is read, and ``digestbot run``
without a configured secret makes a random one, says so once, and never logs it."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import serving, webhook
from digestbot.bot.webhook import MAX_BODY_BYTES, SECRET_HEADER
from digestbot.config import TelegramSettings
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.support.bot import ANN, LI
from tests.support.processes import digestbot_process
from tests.support.sandbox import free_port
from tests.support.settings import local_settings

SECRET = "only-telegram-knows-this"


def forged_update(chat_id: int, text: str) -> dict[str, object]:
    """An update as Telegram would post it: ``text`` from the private chat ``chat_id``."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Mallory", "language_code": "en"}
    message = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": chat_id, "type": "private", "first_name": "Mallory"},
        "from": user,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return {"update_id": 900_000_001, "message": message}


@asynccontextmanager
async def bot_on_a_webhook(emulator: Emulator, tmp_path: Path) -> AsyncIterator[str]:
    """The bot served by its webhook with :data:`SECRET`; yields the webhook URL."""
    engine = create_engine_for(f"sqlite:///{tmp_path}/bot.sqlite3")
    upgrade_schema(engine)
    deps = BotDeps(settings=local_settings(), sessions=session_factory(engine))
    application = build_application(deps, emulator.token, api_url=emulator.base_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    telegram = TelegramSettings(webhook_url=url, webhook_port=port, webhook_secret=SECRET)
    try:
        async with serving(application, webhook(telegram)):
            yield url
    finally:
        engine.dispose()


def sent_to(emulator: Emulator, chat_id: int) -> list[dict[str, Any]]:
    """The sendMessage calls the bot made to ``chat_id``."""
    return [
        entry
        for entry in emulator.recorder.entries()
        if entry["method"] == "sendMessage" and int(entry["params"]["chat_id"]) == chat_id
    ]


async def test_a_post_without_the_secret_is_refused_and_not_acted_on(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.driver.create_user(LI, "Mallory", None, "en")
    emulator.driver.create_user(ANN, "Ann", None, "en")
    async with bot_on_a_webhook(emulator, tmp_path) as url, httpx.AsyncClient() as client:
        body = forged_update(LI, "/help")
        missing = await client.post(url, json=body)
        wrong = await client.post(url, json=body, headers={SECRET_HEADER: "guessed"})
        emulator.driver.send_text(ANN, "/help")  # Telegram's own post, with the secret
        reply = await emulator.driver.next_bot_message(ANN, timeout=10)
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert "/search" in reply["text"]
    assert sent_to(emulator, LI) == []  # the forged /help got no answer


async def test_a_body_over_one_mib_is_refused_before_it_is_read(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.driver.create_user(LI, "Li", None, "en")
    padded = json.dumps({**forged_update(LI, "/help"), "padding": "x" * MAX_BODY_BYTES})
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with bot_on_a_webhook(emulator, tmp_path) as url, httpx.AsyncClient() as client:
        emulator.driver.send_text(LI, "/start")
        await emulator.driver.next_bot_message(LI, timeout=10)
        before = len(sent_to(emulator, LI))
        too_large = await client.post(url, content=padded, headers=headers)
        small = await client.post(url, json=forged_update(LI, "/start"), headers=headers)
        await emulator.driver.next_bot_message(LI, timeout=10)  # the small one was taken
    assert too_large.status_code == 413
    assert small.status_code == 200
    assert len(sent_to(emulator, LI)) == before + 1  # the /help in the large body was not


async def test_run_without_a_secret_uses_a_random_one_and_says_so_once(
    emulator: Emulator, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "digestbot.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[telegram]\nwebhook_url = "http://127.0.0.1:{port}/hook"\nwebhook_port = {port}\n',
        encoding="utf-8",
    )
    emulator.driver.create_user(ANN, "Ann", None, "en")
    emulator.driver.create_user(LI, "Mallory", None, "en")
    process = await digestbot_process(emulator, "run", "-v", "--config", str(config))
    try:
        emulator.driver.send_text(ANN, "/help")
        reply = await emulator.driver.next_bot_message(ANN, timeout=30)
        async with httpx.AsyncClient() as client:
            unsigned = await client.post(
                f"http://127.0.0.1:{port}/hook", json=forged_update(LI, "/help")
            )
        hook = emulator.state.webhook
        assert hook is not None
        generated = hook.secret_token
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    log = err.decode()
    assert process.returncode == 0, log
    assert "/search" in reply["text"]
    assert unsigned.status_code == 403
    assert sent_to(emulator, LI) == []
    assert generated is not None
    assert len(generated) >= 32
    assert generated not in log  # not even in the debug log of setWebhook's parameters
    assert "secret_token" in log  # ... which was written
    assert log.count("no [telegram] webhook_secret configured") == 1
